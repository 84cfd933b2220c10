/** unplugin-btf-bundle for vite: `import btfBundle from 'unplugin-btf-bundle/vite'`. */
import { unplugin } from './index.js';

/** The vite plugin (options: `BtfBundleOptions`). */
export default unplugin.vite;
