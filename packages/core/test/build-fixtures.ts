import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oracleTempDir } from '../../../test/oracle/btf-files.js';

/** The committed sample snapshot (real Debian kernels in BTFHub layout). */
export const SAMPLE_SNAPSHOT = fileURLToPath(new URL('../../../sample-snapshot', import.meta.url));

/** Paths of the sample snapshot's kernels (`.btf.tar.xz`), sorted. */
export function sampleKernels(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.btf.tar.xz')) out.push(path);
    }
  };
  walk(SAMPLE_SNAPSHOT);
  return out.sort();
}

/** The first sample kernel archive. */
export function firstSampleKernel(): string {
  const first = sampleKernels()[0];
  if (!first) throw new Error(`no kernels in ${SAMPLE_SNAPSHOT}`);
  return first;
}

/** Committed BPF objects with CO-RE relocations (unpinned names: they apply to every arch). */
export const SAMPLE_OBJECTS = ['oracle-probe.bpf.o', 'mm-only.bpf.o'].map((name) =>
  fileURLToPath(new URL(`../../../test/oracle/testdata/${name}`, import.meta.url)),
);

/**
 * Copy the sample snapshot's kernels matching `filter` into a new temp BTFHub tree (removed after the test file);
 * returns its root.
 */
export function copySnapshot(
  filter: (path: string) => boolean = () => true,
  order: 'sorted' | 'reversed' = 'sorted',
): string {
  const root = oracleTempDir('btf-snap-');
  const files = sampleKernels().filter(filter);
  if (order === 'reversed') files.reverse();
  for (const file of files) {
    const dest = join(root, relative(SAMPLE_SNAPSHOT, file));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
  return root;
}
