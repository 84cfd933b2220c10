/** unplugin-btf-bundle for rspack: `import btfBundle from 'unplugin-btf-bundle/rspack'`. */
import { unplugin } from './index.js';

/** The rspack plugin (options: `BtfBundleOptions`). */
export default unplugin.rspack;
