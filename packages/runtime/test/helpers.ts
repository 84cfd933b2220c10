import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelKey } from '../src/index.js';

/** Directory of the committed reduced-BTF fixtures. */
const FIXTURES = join(import.meta.dirname, 'fixtures');

/** The fixture sets (one per object set). */
export const SETS = ['a', 'b', 'ab'] as const;

/** Loads every kernel's reduced BTF of fixture set `set`, keyed as in BTFHub paths. */
export function loadSet(set: string): { key: KernelKey; blob: Uint8Array }[] {
  const out: { key: KernelKey; blob: Uint8Array }[] = [];
  const root = join(FIXTURES, set);
  for (const distro of readdirSync(root))
    for (const version of readdirSync(join(root, distro)))
      for (const arch of readdirSync(join(root, distro, version)))
        for (const file of readdirSync(join(root, distro, version, arch)).sort()) {
          const blob = readFileSync(join(root, distro, version, arch, file));
          out.push({ key: { distro, version, arch, release: file.replace(/\.btf$/, '') }, blob });
        }
  return out;
}
