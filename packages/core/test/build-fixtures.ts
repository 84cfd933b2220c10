import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed sample snapshot (real Debian kernels in BTFHub layout). */
export const SAMPLE_SNAPSHOT = fileURLToPath(new URL('../../../sample-snapshot', import.meta.url));

/** The committed test corpus of `.bpf.o` files. */
export const TESTDATA = fileURLToPath(new URL('../testdata', import.meta.url));

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
export async function firstSampleKernel(): Promise<string> {
  const first = sampleKernels()[0];
  if (!first) throw new Error(`no kernels in ${SAMPLE_SNAPSHOT}`);
  return first;
}
