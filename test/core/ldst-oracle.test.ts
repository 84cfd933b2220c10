/**
 * libbpf's load/store checks in `bpf_core_patch_insn`, shown with libbpf (Debian's 1.1, upstream 1.4.6) and bpftool
 * (7.1, 7.5) on test/oracle/testdata/ldst-*.bpf.o against ldst-target.bpf.o, a BTF that resizes or moves their
 * fields. libbpf poisons the loads whose width it cannot adjust (ldst-adjust: a signed int grown to a long, a whole
 * array grown from 4 to 8 bytes, which libbpf 1.1 and 1.4.6 size as the whole array) and widens the unsigned one; it
 * fails a load whose new offset passes 32,767 (ldst-range, ERANGE), one narrower than its field when the field
 * changes size (ldst-width, EINVAL) and one whose field becomes 16 bytes (ldst-newsize, EINVAL). Our resolver gives
 * every record the same outcome; the BTFs both our modes reduce for ldst-adjust keep libbpf's decisions. bpftool,
 * which patches no instruction, reduces all four; our bpftool mode gives its bytes for ldst-adjust and refuses the
 * three others, as libbpf does (packages/core/test/patch-insn.test.ts has the unit tests). shift-wrap.bpf.o, against
 * the same target, shows the bitfield shifts of a field grown to 16 bytes wrapping in libbpf's 32-bit arithmetic.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreRelocationError, minimizeBtf } from '../../packages/core/dist/index.js';
import { oracleSkipReason } from '../oracle/availability.js';
import { bpftoolMinCoreBtf } from '../oracle/bpftool.js';
import { oracleTempDir } from '../oracle/btf-files.js';
import {
  describeOutcome,
  formatRelocationDifferences,
  libbpfCompare,
  libbpfRelocate,
} from '../oracle/libbpf.js';
import { BPFTOOLS, LIBBPFS } from '../oracle/upstream.js';
import { loadObject, repo, targetBtf } from './corpus.js';
import { resolverMismatches } from './resolver-check.js';

const testdata = join(repo, 'test/oracle/testdata');
const target = join(testdata, 'ldst-target.bpf.o');
const object = (name: string) => join(testdata, `${name}.bpf.o`);

/** What libbpf does with each record of each object (describeOutcome), and the message of its failure. */
const LIBBPF_SAYS: Record<string, { outcomes: string[]; message?: RegExp }> = {
  'ldst-adjust': {
    outcomes: [
      'value 0', // sval's offset in an ALU instruction
      'value 0', // TYPE_MATCHES
      'poison (memsz-adjust)', // the load of sval, int then long
      'value 8 mem_sz 8', // the load of uval, widened
      'poison (memsz-adjust)', // the load of the whole arr, 4 then 8 bytes
      'value 18', // the load of arr[2]
      'value 0', // sval's offset again, in another program
    ],
  },
  'ldst-range': { outcomes: ['error errno 34'], message: /value too big: 40000/ },
  'ldst-width': { outcomes: ['error errno 22'], message: /unexpected mem size: got 1, exp 4/ },
  'ldst-newsize': { outcomes: ['error errno 22'], message: /invalid new mem size: 16/ },
  // shifts of a field grown past 64 bits, in 32-bit unsigned arithmetic: 64 - 128 wraps
  'shift-wrap': { outcomes: ['value 4294967232', 'value 4294967232'] },
};

/** Our error code for the objects libbpf fails. */
const OUR_CODE: Record<string, string> = {
  'ldst-range': 'ERANGE',
  'ldst-width': 'EINVAL',
  'ldst-newsize': 'EINVAL',
};

describe("libbpf's load/store checks", () => {
  for (const lib of LIBBPFS) {
    const libSkip = oracleSkipReason(lib.missing());
    it.skipIf(libSkip !== undefined)(
      `${lib.label} poisons, widens or refuses each load where our resolver does, also on the BTFs we reduce${libSkip ? ` (skipped: ${libSkip})` : ''}`,
      async () => {
        const kernel = await targetBtf(target);
        for (const [name, says] of Object.entries(LIBBPF_SAYS)) {
          const run = await libbpfRelocate(object(name), target, { libbpf: lib.build });
          expect(run.relocations.map(describeOutcome), name).toEqual(says.outcomes);
          expect(run.object.relocated, name).toBe(says.message === undefined);
          const failed = run.relocations.find((r) => r.outcome === 'error');
          if (says.message) expect(failed?.outcome === 'error' && failed.message, name).toMatch(says.message);
          expect(resolverMismatches(kernel, object(name), run, lib.label)).toEqual({
            problems: [],
            compared: says.outcomes.length,
          });
        }
        const dir = oracleTempDir('btf-bundle-ldst-');
        for (const mode of ['robust', 'bpftool'] as const) {
          const reduced = join(dir, `${mode}.btf`);
          writeFileSync(reduced, minimizeBtf(kernel, [loadObject(object('ldst-adjust'))], { mode }).btf);
          const { differences } = await libbpfCompare(object('ldst-adjust'), target, reduced, {
            libbpf: lib.build,
          });
          expect(differences, `${mode}: ${formatRelocationDifferences(differences)}`).toEqual([]);
        }
      },
    );
  }

  for (const tool of BPFTOOLS) {
    const toolSkip = oracleSkipReason(tool.missing());
    it.skipIf(toolSkip !== undefined)(
      `${tool.label} reduces all four; our bpftool mode gives its bytes or refuses them as libbpf does${toolSkip ? ` (skipped: ${toolSkip})` : ''}`,
      async () => {
        const kernel = await targetBtf(target);
        for (const name of Object.keys(LIBBPF_SAYS)) {
          const theirs = await bpftoolMinCoreBtf(target, [object(name)], tool.bin);
          expect(theirs.ok, name).toBe(true);
          const ours = () => minimizeBtf(kernel, [loadObject(object(name))], { mode: 'bpftool' });
          const code = OUR_CODE[name];
          if (code === undefined) expect(theirs.ok && ours().btf, name).toEqual(theirs.ok && theirs.bytes);
          else {
            expect(ours, name).toThrow(CoreRelocationError);
            expect(ours, name).toThrow(expect.objectContaining({ code }));
          }
        }
      },
    );
  }
});
