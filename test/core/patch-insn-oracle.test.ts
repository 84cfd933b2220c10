/**
 * CO-RE records whose instruction libbpf cannot patch, shown with libbpf (Debian's 1.1, upstream 1.4.6) and bpftool
 * (7.1, 7.5): copies of execsnoop.bpf.o with its first record moved onto `r7 = r1` (a register source) and onto
 * another relocated instruction (which holds another field's offset). libbpf fails the load on that record with
 * EINVAL ("failed to patch insn"), and so does our resolver, on the same record; bpftool, which patches no
 * instruction, reduces both objects, and our bpftool mode refuses them like libbpf (packages/core/test/patch-insn.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreRelocationError, minimizeBtf } from '../../packages/core/dist/index.js';
import { oracleSkipReason } from '../oracle/availability.js';
import { bpftoolMinCoreBtf } from '../oracle/bpftool.js';
import { oracleTempDir } from '../oracle/btf-files.js';
import { withRecordField } from '../oracle/ext-patch.js';
import { libbpfRelocate } from '../oracle/libbpf.js';
import { BPFTOOLS, LIBBPFS } from '../oracle/upstream.js';
import { loadObject, referenceKernel, targetBtf, testdata } from './corpus.js';
import { resolverMismatches } from './resolver-check.js';

const dir = oracleTempDir('btf-bundle-patch-');
const execsnoop = new Uint8Array(readFileSync(join(testdata, 'execsnoop.bpf.o')));
const objects = () =>
  [
    ['register-source.bpf.o', 0],
    ['other-value.bpf.o', 19 * 8],
  ].map(([name, insnOff]) => {
    const path = join(dir, name as string);
    writeFileSync(path, withRecordField(execsnoop, 0, 0, 'insnOff', insnOff as number));
    return path;
  });

describe('records libbpf cannot patch', () => {
  for (const lib of LIBBPFS) {
    const libSkip = oracleSkipReason(lib.missing());
    it.skipIf(libSkip !== undefined)(
      `${lib.label} fails the load on the record, with EINVAL, where our resolver fails it${libSkip ? ` (skipped: ${libSkip})` : ''}`,
      async () => {
        for (const object of objects()) {
          const run = await libbpfRelocate(object, referenceKernel(), { libbpf: lib.build });
          expect(run.object.relocated, object).toBe(false);
          expect(run.relocations[0]).toMatchObject({ outcome: 'error', errno: 22 });
          expect(
            resolverMismatches(await targetBtf(referenceKernel()), object, run, lib.label).problems,
          ).toEqual([]);
        }
      },
    );
  }

  for (const tool of BPFTOOLS) {
    const toolSkip = oracleSkipReason(tool.missing());
    it.skipIf(toolSkip !== undefined)(
      `${tool.label} reduces them; our bpftool mode refuses them as libbpf does${toolSkip ? ` (skipped: ${toolSkip})` : ''}`,
      async () => {
        const kernel = await targetBtf(referenceKernel());
        for (const object of objects()) {
          expect((await bpftoolMinCoreBtf(referenceKernel(), [object], tool.bin)).ok, object).toBe(true);
          expect(() => minimizeBtf(kernel, [loadObject(object)], { mode: 'bpftool' })).toThrow(
            CoreRelocationError,
          );
        }
      },
    );
  }
});
