/**
 * Oracles on BTF in the newer encoders' format (packages/core/test/layout-fixtures.ts): what we write from such a
 * kernel is read by Debian's bpftool 7.1 and libbpf 1.1, and libbpf relocates real objects against it as against
 * the full kernel. libbpf 1.1 reads a 32-byte header with a layout section (it only looks at the type and string
 * sections) but not records of a kind it does not know nor a vlen above 65,535: for the kernel holding those, the
 * reference run is against its plain twin (the same real kernel without the additions).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf, minimizeBtf, parseBpfObject } from '../../packages/core/dist/index.js';
import { layoutKernels } from '../../packages/core/test/layout-fixtures.js';
import { bpftoolMissing, libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { writeTempBtf } from '../oracle/btf-files.js';
import {
  describeOutcome,
  formatRelocationDifferences,
  libbpfCompare,
  libbpfRelocate,
} from '../oracle/libbpf.js';

const repo = join(import.meta.dirname, '../..');
const objects = ['execsnoop', 'opensnoop', 'tcpstates', 'biolatency'].map((n) =>
  join(repo, 'packages/core/testdata', `${n}.bpf.o`),
);
const layoutProbe = join(repo, 'test/oracle/testdata/layout-probe.bpf.o');

function load(path: string) {
  return parseBpfObject(new Uint8Array(readFileSync(path)), path);
}

/** `bpftool btf dump file` of `bytes`: its output, or throws with bpftool's message. */
function bpftoolDump(bytes: Uint8Array): string {
  return execFileSync('bpftool', ['btf', 'dump', 'file', writeTempBtf(bytes)], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
}

/** libbpf differences of every object between `reference` (a BTF file) and what we reduce `kernel` to for it. */
async function differences(kernel: Uint8Array, reference: string): Promise<string[]> {
  const btf = Btf.parse(kernel);
  const out: string[] = [];
  for (const object of objects) {
    const reduced = writeTempBtf(minimizeBtf(btf, [load(object)]).btf);
    const { full, differences } = await libbpfCompare(object, reference, reduced);
    if (!full.object.relocated) out.push(`${object}: reference run did not relocate: ${full.object.message}`);
    out.push(...formatRelocationDifferences(differences).split('\n').filter(Boolean));
  }
  return out;
}

const skip = oracleSkipReason(libbpfHarnessMissing(), bpftoolMissing());

describe.skipIf(skip !== undefined)(
  `layout-format kernels vs bpftool and libbpf${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('bpftool reads every reduced BTF of the kernel-like fixture, and the layout-only kernel', async () => {
      const k = await layoutKernels();
      const full = Btf.parse(k.full);
      for (const object of [...objects, layoutProbe]) {
        const dump = bpftoolDump(minimizeBtf(full, [load(object)]).btf);
        expect(dump, object).toMatch(/^\[1\] /);
      }
      expect(bpftoolDump(k.layoutOnly)).toMatch(/STRUCT 'task_struct'/);
    });

    it('layout section only: libbpf reads the full kernel, and the reduced BTFs relocate like it', async () => {
      const k = await layoutKernels();
      const problems = await differences(k.layoutOnly, writeTempBtf(k.layoutOnly));
      expect(problems, problems.join('\n')).toEqual([]);
    });

    it('future kind and 24-bit vlen: the reduced BTFs relocate like the plain twin', async () => {
      const k = await layoutKernels();
      const problems = await differences(k.full, writeTempBtf(k.plain));
      expect(problems, problems.join('\n')).toEqual([]);
    });

    it('relocations past member index 65,535 get the offsets and value the fixture defines', async () => {
      const k = await layoutKernels();
      const reduced = writeTempBtf(minimizeBtf(Btf.parse(k.full), [load(layoutProbe)]).btf);
      const run = await libbpfRelocate(layoutProbe, reduced);
      const plain = await libbpfRelocate(layoutProbe, writeTempBtf(k.plain));
      expect(run.object.relocated, run.object.message).toBe(true);
      const values = run.relocations.map(
        (r) => `${r.kindName} ${r.access} ${r.outcome === 'value' ? r.value : r.outcome}`,
      );
      // m65536 and m69999 are ints at 4 × index; WIDE_69999 is 3 × 69,999.
      expect(values).toEqual(
        expect.arrayContaining([
          'FIELD_BYTE_OFFSET 0:0 262144',
          'FIELD_BYTE_OFFSET 0:1 279996',
          'ENUMVAL_VALUE 0 209997',
        ]),
      );
      // The task_struct read relocates as against the real kernel.
      const pid = (r: typeof run) =>
        describeOutcome(r.relocations.find((x) => x.spec?.includes('task_struct')));
      expect(pid(run)).toMatch(/^value \d+$/);
      expect(pid(run)).toBe(pid(plain));
    });
  },
);
