/**
 * The whole point, on a real kernel: minimize the running kernel's own BTF (/sys/kernel/btf/vmlinux) for the
 * real-world objects, hand the result to libbpf as btf_custom_path, and load the programs for real. The verifier
 * must accept every program exactly as with the kernel's own BTF, and libbpf must relocate every relocation
 * identically. A BTF minimized for another object must not be enough (the check can fail).
 * Skips (with the reason) where the kernel has no BTF of its own; needs root, like the other libbpf oracles.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf, type MinimizeMode, minimizeBtf } from '../../packages/core/dist/index.js';
import { libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { oracleTempDir } from '../oracle/btf-files.js';
import {
  compareRelocations,
  formatRelocationDifferences,
  libbpfLoad,
  libbpfRelocate,
} from '../oracle/libbpf.js';
import { loadObject, realObjects, targetBytes } from './corpus.js';

const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
const noKernelBtf = existsSync(KERNEL_BTF) ? undefined : `the running kernel has no ${KERNEL_BTF}`;
const skip = noKernelBtf ?? oracleSkipReason(libbpfHarnessMissing());
const tmp = oracleTempDir('btf-bundle-kernel-load-');

async function reducedFor(objects: string[], mode: MinimizeMode): Promise<string> {
  const kernel = Btf.parse(await targetBytes(KERNEL_BTF), { file: KERNEL_BTF });
  const path = join(tmp, `${mode}-${objects.length}-${Date.now()}.btf`);
  writeFileSync(path, minimizeBtf(kernel, objects.map(loadObject), { mode }).btf);
  return path;
}

describe.skipIf(skip !== undefined)(`load on the running kernel${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it.each(['robust', 'bpftool'] as const)(
    '%s: every real object loads with the reduced BTF exactly as with the kernel’s own',
    async (mode) => {
      const reduced = await reducedFor(realObjects, mode);
      for (const object of realObjects) {
        const own = await libbpfLoad(object);
        expect(own, `${object} with the kernel's own BTF`).toMatchObject({ loaded: true });
        expect(await libbpfLoad(object, reduced), object).toEqual(own);
        const diff = compareRelocations(
          await libbpfRelocate(object, KERNEL_BTF),
          await libbpfRelocate(object, reduced),
        );
        expect(formatRelocationDifferences(diff), object).toBe('');
      }
    },
  );

  it('fails to load with a BTF minimized for another object', async () => {
    const [execsnoop, opensnoop] = ['execsnoop', 'opensnoop'].map(
      (n) => realObjects.find((o) => o.includes(n))!,
    );
    const other = await reducedFor([opensnoop!], 'robust');
    expect(await libbpfLoad(execsnoop!, other)).toMatchObject({ loaded: false });
  });
});
