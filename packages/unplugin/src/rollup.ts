/** unplugin-btf-bundle for rollup: `import btfBundle from 'unplugin-btf-bundle/rollup'`. */
import { unplugin } from './index.js';

/** The rollup plugin (options: `BtfBundleOptions`). */
export default unplugin.rollup;
