/**
 * unplugin-btf-bundle: `virtual:btf-bundle` (the app's kernel→BTF lookup, minimized at build time for the
 * `.bpf.o` files the app imports or lists) and `.bpf.o` imports, for vite, rollup, esbuild, webpack and rspack.
 */
import { createUnplugin, type UnpluginInstance } from 'unplugin';
import { resolveOptions } from './core/options.js';
import { unpluginFactory } from './core/unplugin.js';
import type { BtfBundleOptions } from './types.js';

/** The plugin's factory, for composing it into another unplugin. */
export { unpluginFactory } from './core/unplugin.js';
/** The plugin's options. */
export type { BtfBundleOptions, EmitMode, ObjectGlobs, RuntimeDefaults, RuntimeModule } from './types.js';

const instance = /* #__PURE__ */ createUnplugin(unpluginFactory);

/** webpack and rspack call the factory only when the compiler applies the plugin: validate right away too. */
const eager =
  <T>(create: (options: BtfBundleOptions) => T) =>
  (options: BtfBundleOptions): T => {
    resolveOptions(options);
    return create(options);
  };

/**
 * The plugin for every bundler (`unplugin.vite(options)`, `unplugin.webpack(options)`, ...); invalid options throw
 * a UsageError when the plugin is created.
 */
export const unplugin: UnpluginInstance<BtfBundleOptions, false> = {
  ...instance,
  webpack: eager(instance.webpack),
  rspack: eager(instance.rspack),
};

export default unplugin;
