import btfBundle from 'unplugin-btf-bundle/rollup';
import { btfBundleOptions } from '../shared/options.js';

export default {
  input: '../shared/main.js',
  output: { dir: 'dist', format: 'es' },
  // Node's built-ins; the plugin bundles its own runtime (no node-resolve needed)
  external: [/^node:/],
  plugins: [btfBundle(btfBundleOptions)],
};
