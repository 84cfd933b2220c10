import btfBundle from 'unplugin-btf-bundle/vite';
import { defineConfig } from 'vite';
import { btfBundleOptions } from '../shared/options.js';

export default defineConfig({
  plugins: [btfBundle(btfBundleOptions)],
  build: { ssr: '../shared/main.js', outDir: 'dist', target: 'node20' },
});
