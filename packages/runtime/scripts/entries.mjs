// The runtime package's entries as its package.json "exports" declares them, with their TypeScript sources: read by
// this package's bundle script and by core's CLI bundle, which takes the runtime from its sources.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The runtime package's directory. */
export const RUNTIME_ROOT = new URL('..', import.meta.url).pathname;

/**
 * Each export of package.json: its key (`./internal/btf-layout`), its name under dist/ (`format/btf-layout` for
 * `./dist/format/btf-layout.js`) and its source relative to the package (`src/format/btf-layout.ts`).
 */
export function runtimeEntries() {
  const { exports } = JSON.parse(readFileSync(join(RUNTIME_ROOT, 'package.json'), 'utf8'));
  return Object.entries(exports).map(([key, { default: file }]) => {
    const name = file.replace(/^\.\/dist\/(.*)\.js$/, '$1');
    return { key, name, source: `src/${name}.ts` };
  });
}
