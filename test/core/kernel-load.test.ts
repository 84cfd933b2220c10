/**
 * The whole point, on a real kernel: minimize the running kernel's own BTF (/sys/kernel/btf/vmlinux) for the
 * real-world objects, hand the result to libbpf as btf_custom_path, and load the programs for real. The verifier
 * must accept every program exactly as with the kernel's own BTF, and libbpf must relocate every relocation
 * identically. A BTF minimized for another object must not be enough (the check can fail).
 * Skips (with the reason) where the kernel has no BTF of its own; needs root, like the other libbpf oracles.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type MinimizeMode, minimizeBtf } from '../../packages/core/dist/index.js';
import { libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { writeTempBtf } from '../oracle/btf-files.js';
import { formatRelocationDifferences, libbpfCompare, libbpfLoad } from '../oracle/libbpf.js';
import { loadObject, realObjects, targetBtf } from './corpus.js';

const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
const noKernelBtf = existsSync(KERNEL_BTF) ? undefined : `the running kernel has no ${KERNEL_BTF}`;
const skip = noKernelBtf ?? oracleSkipReason(libbpfHarnessMissing());
async function reducedFor(objects: string[], mode: MinimizeMode): Promise<string> {
  return writeTempBtf(minimizeBtf(await targetBtf(KERNEL_BTF), objects.map(loadObject), { mode }).btf);
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
        const { differences } = await libbpfCompare(object, KERNEL_BTF, reduced);
        expect(formatRelocationDifferences(differences), object).toBe('');
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
