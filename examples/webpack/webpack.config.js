import { fileURLToPath } from 'node:url';
import btfBundle from 'unplugin-btf-bundle/webpack';
import { btfBundleOptions } from '../shared/options.js';

/** CommonJS output (the rspack example shows ES module output). */
export default {
  mode: 'production',
  target: 'node20',
  entry: { main: '../shared/main.js' },
  output: { path: fileURLToPath(new URL('dist', import.meta.url)), filename: '[name].cjs' },
  plugins: [btfBundle(btfBundleOptions)],
};
