import { fileURLToPath } from 'node:url';
import btfBundle from 'unplugin-btf-bundle/rspack';
import { btfBundleOptions } from '../shared/options.js';

/** ES module output (the webpack example shows CommonJS). */
export default {
  mode: 'production',
  target: 'node20',
  entry: { main: '../shared/main.js' },
  output: { path: fileURLToPath(new URL('dist', import.meta.url)), filename: '[name].js', module: true },
  plugins: [btfBundle({ ...btfBundleOptions, emit: 'asset' })],
};
