import * as esbuild from 'esbuild';
import btfBundle from 'unplugin-btf-bundle/esbuild';
import { btfBundleOptions } from '../shared/options.js';

await esbuild.build({
  entryPoints: { main: '../shared/main.js' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outdir: 'dist',
  logLevel: 'info',
  plugins: [btfBundle(btfBundleOptions)],
});
