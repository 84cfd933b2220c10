/** unplugin-btf-bundle for webpack: `import btfBundle from 'unplugin-btf-bundle/webpack'`. */
import { unplugin } from './index.js';

/** The webpack plugin (options: `BtfBundleOptions`). */
export default unplugin.webpack;
