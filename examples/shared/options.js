/** Plugin options shared by the examples: the repository's sample snapshot and corpus objects. */
import { fileURLToPath } from 'node:url';

const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

/** @type {import('unplugin-btf-bundle').BtfBundleOptions} */
export const btfBundleOptions = {
  snapshot: repo('sample-snapshot'),
  // besides the objects the app imports (shared/main.js), minimize for this one too
  objects: [repo('packages/core/testdata/execsnoop.bpf.o')],
  runtime: { nearest: true },
};
