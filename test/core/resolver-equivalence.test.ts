/**
 * Oracle (c): our CO-RE resolver gives every relocation the same outcome (newValue, poison, newSize,
 * failMemszAdjust, error-or-not; TYPE_ID_TARGET by kind + name) against the full target and against our
 * reduced BTF, in the three orders of docs/verification.md#correctness-criterion: file order with one shared cache, each relocation alone
 * with a fresh cache, and per-program subsets (filter by section). Runs everywhere (no external tool).
 * Also: bpftool-mode outputs differ exactly where a docs/btfgen.md#robust-mode-fixes fix applies, and corrupted outputs are caught.
 */
import { describe, expect, it } from 'vitest';
import { Btf, minimizeBtf } from '../../packages/core/dist/index.js';
import {
  kernelPairs,
  loadObject,
  manifestPairs,
  ORDERS,
  ROBUST_DIFFERS,
  resolveIn,
  resolverDifferences,
  targetBtf,
} from './corpus.js';
import { corruptedOutputs } from './corrupt.js';

const pairs = [...manifestPairs(), ...kernelPairs()].filter((p) => !p.expectError);

describe('resolver equivalence: full vs reduced in three orders', () => {
  it(`robust output of every pair (${pairs.length}) resolves identically`, async () => {
    const problems: string[] = [];
    let relocations = 0;
    for (const pair of pairs) {
      const full = await targetBtf(pair.target);
      const objects = pair.objects.map(loadObject);
      const reduced = Btf.parse(minimizeBtf(full, objects).btf, { file: `reduced(${pair.name})` });
      problems.push(...resolverDifferences(full, reduced, objects).map((d) => `${pair.name}: ${d}`));
      relocations += objects.reduce((n, o) => n + o.ext.coreRelos.length, 0);
    }
    expect(problems, problems.join('\n')).toEqual([]);
    console.log(`resolver equivalence: ${pairs.length} pairs, ${relocations} relocations × 3 orders`);
  });

  it('error objects fail identically against the full target in every order', async () => {
    for (const pair of manifestPairs().filter((p) => p.expectError)) {
      const full = await targetBtf(pair.target);
      const object = loadObject(pair.objects[0]!);
      for (const order of ORDERS) {
        expect(
          resolveIn(full, object, order).some((l) => l.includes(' error ')),
          `${pair.name} ${order}`,
        ).toBe(true);
      }
    }
  });

  it('bpftool-mode outputs change outcomes exactly on the docs/btfgen.md#robust-mode-fixes pairs', async () => {
    const differing: string[] = [];
    for (const pair of manifestPairs().filter((p) => !p.expectError)) {
      const full = await targetBtf(pair.target);
      const objects = pair.objects.map(loadObject);
      let out: Uint8Array;
      try {
        out = minimizeBtf(full, objects, { mode: 'bpftool' }).btf;
      } catch {
        continue; // bpftool-mode failures (docs/btfgen.md#fix-5-type_tag-and-fwd, #10) are covered by bpftool-fixes.test.ts
      }
      if (resolverDifferences(full, Btf.parse(out), objects).length > 0) differing.push(pair.name);
    }
    for (const name of differing) expect(Object.keys(ROBUST_DIFFERS), name).toContain(name);
    expect(differing).toEqual(
      expect.arrayContaining([
        'bug6_first_candidate.bpf.o @ candidates.o',
        'bug7_flex_array.bpf.o @ arrays.o',
        'bug9_pointer_size.bpf.o @ ptrsize32.btf',
      ]),
    );
  });

  it('reports a difference on a corrupted reduced BTF (member moved, enumerator changed, type missing)', async () => {
    const { enums, tcp } = await corruptedOutputs();
    const enumsFull = await targetBtf(enums.target);
    const enumsObjects = enums.objects.map(loadObject);
    expect(resolverDifferences(enumsFull, Btf.parse(enums.intact), enumsObjects)).toEqual([]);
    const enumDiffs = resolverDifferences(enumsFull, Btf.parse(enums.valueChanged), enumsObjects);
    expect(enumDiffs.join('\n')).toMatch(/value 2 .*reduced: .*value 3 /);

    const kernel = await targetBtf(tcp.target);
    const tcpObjects = tcp.objects.map(loadObject);
    expect(resolverDifferences(kernel, Btf.parse(tcp.memberMoved), tcpObjects).join('\n')).toMatch(
      /value 30 .*reduced: .*value 31 /,
    );
    expect(resolverDifferences(kernel, Btf.parse(tcp.typeMissing), tcpObjects).join('\n')).toMatch(
      /reduced: .* poison/,
    );
  });
});
