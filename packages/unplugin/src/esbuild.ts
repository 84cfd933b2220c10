/** unplugin-btf-bundle for esbuild: `import btfBundle from 'unplugin-btf-bundle/esbuild'`. */
import { unplugin } from './index.js';

/** The esbuild plugin (options: `BtfBundleOptions`). */
export default unplugin.esbuild;
