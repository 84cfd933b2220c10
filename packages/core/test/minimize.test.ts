/**
 * Minimizer properties on every output of the corpus (docs/verification.md#structural-invariants): header and layout, ids and strings,
 * kept members are a subsequence of the source's with the same offsets and bitfield sizes, kind_flag iff a
 * kept bitfield; idempotence (minimizing the output again gives the same bytes); determinism under object
 * reordering; monotonicity (the output for O1 ∪ O2 contains everything of the outputs for O1 and O2); the
 * empty output is the 25-byte BTF.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelPairs, manifestPairs } from '../../../test/core/corpus.js';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/format.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { type BpfObject, parseBpfObject } from '../src/object.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { referenceKernel, structuralViolations, testdata } from './btf-helpers.js';

const targets = new Map<string, Btf>();
async function target(path: string): Promise<Btf> {
  let t = targets.get(path);
  if (!t) {
    t = Btf.parse(await readKernelBtf(path), { file: path });
    targets.set(path, t);
  }
  return t;
}
const object = (path: string): BpfObject => parseBpfObject(new Uint8Array(readFileSync(path)), path);

/** Names (kind + name + member names) of every type of a BTF, for containment checks. */
function typeSignatures(btf: Btf): Set<string> {
  const out = new Set<string>();
  for (let id = 1; id < btf.typeCount; id++) {
    const k = btf.kind(id);
    if (k === Kind.STRUCT || k === Kind.UNION) {
      for (let i = 0; i < btf.vlen(id); i++) {
        out.add(`${k} ${btf.name(id)}.${btf.memberName(id, i)}@${btf.memberBitOffset(id, i)}`);
      }
    }
    out.add(`${k} ${btf.name(id)} ${k === Kind.STRUCT || k === Kind.UNION ? btf.size(id) : ''}`);
  }
  return out;
}

const kernels = kernelPairs().filter((p) => /6\.1\.0-54-amd64|6\.12\.117\+deb12-arm64/.test(p.target));
const pairs = [...manifestPairs().filter((p) => !p.expectError), ...kernels];

describe('minimizer structural invariants (docs/verification.md#structural-invariants)', () => {
  it.each(pairs.map((p) => [p.name, p] as const))('%s', async (_name, pair) => {
    const full = await target(pair.target);
    const objects = pair.objects.map(object);
    for (const mode of ['robust', 'bpftool'] as const) {
      let out: Uint8Array;
      try {
        out = minimizeBtf(full, objects, { mode }).btf;
      } catch (err) {
        if (mode === 'bpftool') continue; // bpftool-mode failures are docs/btfgen.md#robust-mode-fixes (bpftool-fixes.test.ts)
        throw err;
      }
      expect(structuralViolations(full, out), mode).toEqual([]);
      // Idempotence: the output minimized again with the same objects is the same bytes. Not for bpftool's
      // own output on the docs/btfgen.md#fix-6-every-matching-candidate case: there, bpftool's output poisons a relocation, so re-minimizing drops it.
      const again = minimizeBtf(Btf.parse(out), objects, { mode }).btf;
      const notIdempotent = mode === 'bpftool' && pair.name.startsWith('bug6_first_candidate');
      expect(Buffer.compare(again, out) === 0, `${mode} idempotent`).toBe(!notIdempotent);
      // Determinism under object reordering (robust: marks are a set, emission is in source id order).
      if (objects.length > 1 && mode === 'robust') {
        const reversed = minimizeBtf(full, [...objects].reverse(), { mode }).btf;
        expect(Buffer.compare(reversed, out), 'object order').toBe(0);
      }
    }
  });

  it('monotonicity: the output for O1 ∪ O2 contains the outputs for O1 and O2', async () => {
    const kernel = await target(referenceKernel);
    const objs = ['execsnoop', 'opensnoop', 'tcpstates', 'biolatency'].map((n) =>
      object(join(testdata, `${n}.bpf.o`)),
    );
    // Every type the output for one object holds is in the output for all of them.
    const expectUnionContainsEach = (t: Btf, all: BpfObject[]) => {
      const union = typeSignatures(Btf.parse(minimizeBtf(t, all).btf));
      for (const o of all) {
        for (const sig of typeSignatures(Btf.parse(minimizeBtf(t, [o]).btf))) {
          expect(union.has(sig), `${basename(o.file)}: ${sig}`).toBe(true);
        }
      }
    };
    expectUnionContainsEach(kernel, objs);
    const typebased = await target(join(testdata, 'targets/typebased.o'));
    expectUnionContainsEach(typebased, [
      object(join(testdata, 'typebased.bpf.o')),
      object(join(testdata, 'bug9_pointer_size.bpf.o')),
    ]);
  });

  it('an object with no CO-RE relocations gives the empty 25-byte BTF', async () => {
    const out = minimizeBtf(await target(join(testdata, 'targets/objects.o')), [
      object(join(testdata, 'funcinfo_only.bpf.o')),
    ]).btf;
    expect(out.length).toBe(25);
    expect(Btf.parse(out).typeCount).toBe(1);
  });

  it('summaries count relocations per object', async () => {
    const res = minimizeBtf(await target(join(testdata, 'targets/enums.o')), [
      object(join(testdata, 'enums.bpf.o')),
    ]);
    expect(res.objects).toHaveLength(1);
    expect(res.objects[0]!.total).toBe(res.objects[0]!.resolved + res.objects[0]!.poisoned);
    expect(res.objects[0]!.poisoned).toBeGreaterThan(0);
  });
});
