/**
 * One named test per docs/btfgen.md#robust-mode-fixes fix where our robust output differs from bpftool's (or bpftool fails):
 * each shows the case with bpftool, our resolver and libbpf.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf, Kind, MinimizeError, minimizeBtf } from '../../packages/core/dist/index.js';
import { bpftoolMissing, libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { bpftoolMinCoreBtf, bpftoolMinCoreBtfOk } from '../oracle/bpftool.js';
import { writeTempBtf } from '../oracle/btf-files.js';
import { formatRelocationDifferences, libbpfCompare } from '../oracle/libbpf.js';
import {
  loadObject,
  realObjects,
  referenceKernel,
  resolveIn,
  resolverDifferences,
  targetBtf,
  testdata,
} from './corpus.js';

const obj = (n: string) => join(testdata, `${n}.bpf.o`);
const tgt = (n: string) => join(testdata, 'targets', n);

async function libbpfDiff(
  object: string,
  target: string,
  reduced: Uint8Array,
  only?: string,
): Promise<string> {
  const opts = only === undefined ? {} : { only };
  const { full, differences } = await libbpfCompare(object, target, writeTempBtf(reduced), opts);
  expect(full.object.relocated, `${object} @ ${target}: ${full.object.message}`).toBe(true);
  return formatRelocationDifferences(differences);
}

async function robust(object: string, target: string, compact = true): Promise<Uint8Array> {
  return minimizeBtf(await targetBtf(target), [loadObject(object)], { compact }).btf;
}

const skip = oracleSkipReason(bpftoolMissing(), libbpfHarnessMissing());

describe.skipIf(skip !== undefined)(
  `docs/btfgen.md#robust-mode-fixes fixes vs bpftool${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it.each([
      ['err_typetag_type', 'typetag.o', /TYPE_TAG|type_tag|unsupported/i],
      ['err_typetag_match', 'typetag.o', /TYPE_TAG|type_tag|unsupported/i],
      ['err_fwd_pointee', 'typebased.o', /FWD|fwd|unsupported/i],
    ])(
      '#5 TYPE_TAG/FWD (%s): bpftool errors, we succeed and libbpf relocates identically',
      async (name, t, why) => {
        const upstream = await bpftoolMinCoreBtf(tgt(t), [obj(name)]);
        expect(upstream.ok).toBe(false);
        const target = await targetBtf(tgt(t));
        expect(() => minimizeBtf(target, [loadObject(obj(name))], { mode: 'bpftool' })).toThrow(
          MinimizeError,
        );
        expect(() => minimizeBtf(target, [loadObject(obj(name))], { mode: 'bpftool' })).toThrow(why);
        expect(await libbpfDiff(obj(name), tgt(t), await robust(obj(name), tgt(t)))).toBe('');
      },
    );

    it('#6 first candidate only: with bpftool output part.b resolves alone but is poisoned after part.a; ours always resolves it', async () => {
      const o = obj('bug6_first_candidate');
      const t = tgt('candidates.o');
      const upstream = await bpftoolMinCoreBtfOk(t, [o]);
      const full = await targetBtf(t);
      const object = loadObject(o);
      // With bpftool's output, B's outcome depends on which programs are loaded: alone (per-program subset)
      // it resolves to 4 like the full BTF, loaded after A (file order, shared cache) it is poisoned.
      const perProgram = (b: Btf) => resolveIn(b, object, 'per-program');
      const fileOrder = (b: Btf) => resolveIn(b, object, 'file-order');
      const bpftoolOut = Btf.parse(upstream);
      expect(perProgram(bpftoolOut)).toEqual(perProgram(full));
      expect(perProgram(full)).toContain(
        '[raw_tp/sys_exit] raw_tp/sys_exit#0 value 4 size 4 failMemsz false',
      );
      expect(fileOrder(full)).toContain('raw_tp/sys_exit#0 value 4 size 4 failMemsz false');
      expect(fileOrder(bpftoolOut)).toContain('raw_tp/sys_exit#0 poison');
      // Ours: identical to the full BTF in every order, whatever subset of programs is loaded.
      const ours = await robust(o, t);
      expect(perProgram(Btf.parse(ours))).toEqual(perProgram(full));
      expect(resolverDifferences(full, Btf.parse(ours), [object])).toEqual([]);
      // libbpf agrees: with bpftool's output some relocation changes, with ours none does.
      expect(await libbpfDiff(o, t, upstream)).not.toBe('');
      expect(await libbpfDiff(o, t, ours)).toBe('');
      for (const only of ['reloc_a', 'reloc_b']) expect(await libbpfDiff(o, t, ours, only)).toBe('');
    });

    it('#7 flex array: bpftool output makes zl.marker[2] match (offset 12); ours keeps it poisoned like the full BTF', async () => {
      const o = obj('bug7_flex_array');
      const t = tgt('arrays.o');
      const upstream = await bpftoolMinCoreBtfOk(t, [o]);
      const full = await targetBtf(t);
      const object = loadObject(o);
      expect(resolverDifferences(full, Btf.parse(upstream), [object]).join('\n')).toMatch(
        /full: .*poison \| reduced: .*value 12/,
      );
      const ours = await robust(o, t);
      expect(resolverDifferences(full, Btf.parse(ours), [object])).toEqual([]);
      expect(await libbpfDiff(o, t, upstream)).toMatch(/full poison.*reduced value 12/);
      expect(await libbpfDiff(o, t, ours)).toBe('');
    });

    it('#8 TYPE_MATCHES recursion: bpftool crashes, we terminate and libbpf relocates identically', async () => {
      const o = obj('bug8_match_recursion');
      const t = tgt('typematches.o');
      const upstream = await bpftoolMinCoreBtf(t, [o]);
      expect(upstream.ok).toBe(false);
      const ours = await robust(o, t);
      expect(resolverDifferences(await targetBtf(t), Btf.parse(ours), [loadObject(o)])).toEqual([]);
      expect(await libbpfDiff(o, t, ours)).toBe('');
    });

    it('#9 pointer size: for a 32-bit target bpftool drops `long`, so sizes become 8; ours keeps 4', async () => {
      const o = obj('bug9_pointer_size');
      const t = tgt('ptrsize32.btf');
      const upstream = await bpftoolMinCoreBtfOk(t, [o]);
      const full = await targetBtf(t);
      const object = loadObject(o);
      expect(full.guessPointerSize()).toBe(4);
      expect(Btf.parse(upstream).guessPointerSize()).toBeUndefined();
      expect(resolverDifferences(full, Btf.parse(upstream), [object]).join('\n')).toMatch(
        /full: .*value 4 .*reduced: .*value 8 /,
      );
      const ours = await robust(o, t);
      expect(Btf.parse(ours).guessPointerSize()).toBe(4);
      expect(resolverDifferences(full, Btf.parse(ours), [object])).toEqual([]);
      expect(await libbpfDiff(o, t, upstream)).toMatch(/value 4.*reduced value 8/);
      expect(await libbpfDiff(o, t, ours)).toBe('');
    });

    it('#10 legacy bitfields: bpftool fails on a kind_flag 0 struct, we emit it verbatim and libbpf agrees', async () => {
      const o = obj('bug10_legacy_bitfield');
      const t = tgt('legacy_bitfield.btf');
      expect((await bpftoolMinCoreBtf(t, [o])).ok).toBe(false);
      const target = await targetBtf(t);
      expect(() => minimizeBtf(target, [loadObject(o)], { mode: 'bpftool' })).toThrow(MinimizeError);
      const ours = await robust(o, t);
      expect(resolverDifferences(target, Btf.parse(ours), [loadObject(o)])).toEqual([]);
      expect(await libbpfDiff(o, t, ours)).toBe('');
    });

    it.each([
      ['bitfields_bpfeb', 'bitfields', tgt('bitfields.o')],
      ['enums_bpfeb', 'enums', tgt('enums.o')],
      ['opensnoop_bpfeb', 'opensnoop', referenceKernel()],
    ])(
      'bpfeb objects (%s): bpftool cannot read them; our output equals the little-endian twin’s',
      async (be, le, t) => {
        const upstream = await bpftoolMinCoreBtf(t, [obj(be)]);
        expect(upstream.ok).toBe(false);
        const ours = await robust(obj(be), t, false);
        const twin = await bpftoolMinCoreBtfOk(t, [obj(le)]);
        expect(Buffer.compare(ours, twin)).toBe(0);
        expect(await libbpfDiff(obj(le), t, ours)).toBe('');
      },
    );

    it('#11 compaction: enums lose unused enumerators, chains below roots lose typedefs; libbpf relocates identically', async () => {
      const t = referenceKernel();
      const target = await targetBtf(t);
      const compact = minimizeBtf(target, realObjects.map(loadObject)).btf;
      const whole = minimizeBtf(target, realObjects.map(loadObject), { compact: false }).btf;
      const upstream = await bpftoolMinCoreBtfOk(t, realObjects);
      expect(Buffer.compare(whole, upstream)).toBe(0);
      expect(compact.length).toBeLessThan(whole.length * 0.5);
      const census = (btf: Btf) => {
        const kinds = new Map<number, number>();
        let enumerators = 0;
        for (let id = 1; id < btf.typeCount; id++) {
          const k = btf.kind(id);
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
          if (k === Kind.ENUM || k === Kind.ENUM64) enumerators += btf.vlen(id);
        }
        return { kinds, enumerators };
      };
      const a = census(Btf.parse(compact));
      const b = census(Btf.parse(whole));
      expect(a.enumerators).toBeLessThan(b.enumerators);
      // Only typedef/modifier records disappear; every other kind stays.
      const droppable: number[] = [Kind.TYPEDEF, Kind.VOLATILE, Kind.CONST, Kind.RESTRICT, Kind.TYPE_TAG];
      for (const [kind, n] of b.kinds) {
        if (droppable.includes(kind)) expect(a.kinds.get(kind) ?? 0).toBeLessThanOrEqual(n);
        else expect([kind, a.kinds.get(kind)]).toEqual([kind, n]);
      }
      expect(a.kinds.get(Kind.TYPEDEF) ?? 0).toBeLessThan(b.kinds.get(Kind.TYPEDEF) ?? 0);
      for (const o of realObjects) expect(await libbpfDiff(o, t, compact)).toBe('');
    });

    it('#11 enums compared by TYPE_MATCHES or matched by enum-value relocations keep what libbpf reads', async () => {
      for (const [o, t] of [
        [obj('typematches'), tgt('typematches.o')],
        [obj('enums'), tgt('enums.o')],
      ] as const) {
        const trimmed = await robust(o, t);
        expect(await libbpfDiff(o, t, trimmed)).toBe('');
      }
      // TYPE_MATCHES compares enumerator names, so its enums stay whole.
      const tm = await targetBtf(tgt('typematches.o'));
      expect(minimizeBtf(tm, [loadObject(obj('typematches'))]).btf).toEqual(
        minimizeBtf(tm, [loadObject(obj('typematches'))], { compact: false }).btf,
      );
    });

    it("#12 records libbpf skips: bpftool keeps weak_shared.b for the dropped weak subprogram's record, ours does not, libbpf relocates identically", async () => {
      const o = obj('weak_linked');
      const t = tgt('objects.o');
      const members = (btf: Uint8Array) => {
        const out = Btf.parse(btf);
        const id = Array.from({ length: out.typeCount }, (_, i) => i).find(
          (i) => out.name(i) === 'weak_shared',
        )!;
        return Array.from({ length: out.vlen(id) }, (_, i) => out.memberName(id, i));
      };
      const upstream = await bpftoolMinCoreBtfOk(t, [o]);
      const ours = await robust(o, t);
      expect(members(upstream)).toEqual(['a', 'b']);
      expect(members(ours)).toEqual(['a']);
      expect(await libbpfDiff(o, t, upstream)).toBe('');
      expect(await libbpfDiff(o, t, ours)).toBe('');
    });
  },
);
