import btfBundle from 'unplugin-btf-bundle/rollup';
import { btfBundleOptions } from '../shared/options.js';

export default {
  input: '../shared/main.js',
  output: { dir: 'dist', format: 'es' },
  // resolved by Node at run time from this package's dependencies
  external: [/^node:/, /^unplugin-btf-bundle\//],
  plugins: [btfBundle(btfBundleOptions)],
};
