/**
 * Types of the modules unplugin-btf-bundle provides. Add `"types": ["unplugin-btf-bundle/client"]` to your
 * tsconfig (or `/// <reference types="unplugin-btf-bundle/client" />`); any `moduleResolution` works.
 */

declare module 'virtual:btf-bundle' {
  import type { BtfBundleApi } from 'unplugin-btf-bundle/runtime';

  /** The bundle's API (also available as named exports). */
  const api: BtfBundleApi;
  export default api;
  /** Resolves the BTF for the running kernel: override path → the kernel's own BTF → the bundle (only the bundle with `{ source: 'bundle' }`). */
  export const resolveBtf: BtfBundleApi['resolveBtf'];
  /** Looks a kernel up in the bundle (the running kernel when omitted). */
  export const findBtf: BtfBundleApi['findBtf'];
  /** Writes BTF bytes to a private temp file (for libbpf's `btf_custom_path`) and returns its path. */
  export const writeBtfFile: BtfBundleApi['writeBtfFile'];
  /** Identifies the running kernel. */
  export const detectKernel: BtfBundleApi['detectKernel'];
  /** The decoded bundle. */
  export const bundle: BtfBundleApi['bundle'];
  /** Kernel ids with a BTF. */
  export const kernels: BtfBundleApi['kernels'];
  /** The `.bpf.o` files (name and sha256) the BTFs were minimized for. */
  export const objects: BtfBundleApi['objects'];
  /** Sizes and counts of the bundle. */
  export const stats: BtfBundleApi['stats'];
}

declare module '*.bpf.o' {
  /** The object's bytes. */
  const bytes: Uint8Array;
  export default bytes;
}

declare module '*.bpf.o?path' {
  /** The path of the object's copy emitted next to the output. */
  const path: string;
  export default path;
}
