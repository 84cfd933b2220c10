import { describe, expect, it } from 'vitest';
import { Btf } from '../src/btf/btf.js';
import { essentialNameHash, nameHash } from '../src/btf/essential-name.js';
import { Kind, packInfo } from '../src/btf/format.js';
import { BtfWriter } from '../src/btf/writer.js';
import { CandidateIndex } from '../src/relo/candidates.js';
import { essentialName } from '../src/relo/names.js';

/** libbpf's linear scan (bpf_core_add_cands), the reference for the hashed index. */
function linearScan(local: Btf, localId: number, target: Btf): number[] {
  const name = local.name(localId);
  if (name === '') return [];
  const cls = (k: number) => (k === Kind.ENUM64 ? Kind.ENUM : k);
  const out: number[] = [];
  for (let id = 1; id < target.typeCount; id++) {
    if (cls(target.kind(id)) !== cls(local.kind(localId)) || target.nameOff(id) === 0) continue;
    if (essentialName(target.name(id)) === essentialName(name)) out.push(id);
  }
  return out;
}

const TRICKY = [
  'foo',
  'foo___a',
  'foo___a___b',
  'foo____bar',
  'foo___',
  'foo_',
  'foox',
  'fo',
  'foo_a___b',
  '_foo___x',
  'foo___ü',
  'a___b',
  'a',
  'é___x',
  'é',
];

/**
 * A BTF with structs, unions, enums, enum64s, typedefs, FWDs, FUNCs and VARs under every tricky name, plus `extra`
 * filler structs. (FUNCs and VARs are kinds the record index does not list: looking for them scans every record.)
 */
function namesBtf(names: readonly string[], extra: number): Btf {
  const w = new BtfWriter();
  w.addRecord([w.addString('int'), packInfo(Kind.INT, 0, false), 4, 32]);
  w.addRecord([0, packInfo(Kind.FUNC_PROTO, 0, false), 1]);
  for (const name of names) {
    for (const kind of [
      Kind.STRUCT,
      Kind.UNION,
      Kind.ENUM,
      Kind.ENUM64,
      Kind.TYPEDEF,
      Kind.FWD,
      Kind.FUNC,
      Kind.VAR,
    ]) {
      const s = w.addString(name);
      if (kind === Kind.STRUCT || kind === Kind.UNION || kind === Kind.FWD)
        w.addRecord([s, packInfo(kind, 0, false), 0]);
      else if (kind === Kind.TYPEDEF) w.addRecord([s, packInfo(kind, 0, false), 1]);
      else if (kind === Kind.FUNC) w.addRecord([s, packInfo(kind, 0, false), 2]);
      else if (kind === Kind.VAR) w.addRecord([s, packInfo(kind, 0, false), 1, 0]);
      else w.addRecord([s, packInfo(kind, 0, false), kind === Kind.ENUM ? 4 : 8]);
    }
  }
  for (let i = 0; i < extra; i++)
    w.addRecord([w.addString(`filler_${i}___v${i % 3}`), packInfo(Kind.STRUCT, 0, false), 0]);
  w.addRecord([0, packInfo(Kind.STRUCT, 0, false), 0]); // anonymous
  return Btf.parse(w.toBytes());
}

/** `count` names of 1 to `maxLength` characters over {a, b, _}, from a seeded LCG (the same names every run). */
function randomNames(seed: number, count: number, maxLength: number): string[] {
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + rand(maxLength) }, () => 'ab_'[rand(3)]).join(''),
  );
}

/** Every local type's candidate list from `index` is the linear scan's. */
function expectLinearScan(index: CandidateIndex, local: Btf, target: Btf): void {
  for (let id = 1; id < local.typeCount; id++) {
    expect(index.candidates(local, id), local.describe(id)).toEqual(linearScan(local, id, target));
  }
}

describe('CandidateIndex', () => {
  it('gives exactly libbpf linear-scan lists, on first lookup and memoized', () => {
    const target = namesBtf(TRICKY, 200);
    const local = namesBtf([...TRICKY, 'nothere', 'foo___zz', 'filler_7', 'filler_8___q'], 200);
    const index = CandidateIndex.of(target);
    // Twice over every local type: the first pass fills the hash buckets' memo, the second reads it.
    for (let pass = 0; pass < 2; pass++) expectLinearScan(index, local, target);
  });

  it('agrees with the linear scan on random names over {a, b, _}', () => {
    const names = randomNames(12345, 400, 9);
    const target = namesBtf(names.slice(0, 200), 0);
    const local = namesBtf(names.slice(100), 0);
    const index = CandidateIndex.of(target);
    expectLinearScan(index, local, target);
  });

  it('one prepared pass for every name gives the same lists as lookups one name at a time', () => {
    // Short names and flavor separators anywhere, and every kind at once (a full scan, FUNCs and VARs wanted).
    const names = randomNames(777, 300, 8);
    const target = namesBtf([...TRICKY, ...names.slice(0, 150)], 50);
    const local = namesBtf([...TRICKY, ...names.slice(75)], 50);
    const index = CandidateIndex.of(target);
    index.prepare(Array.from({ length: local.typeCount - 1 }, (_, i) => [local, i + 1] as const));
    expectLinearScan(index, local, target);
  });

  it('returns a fresh list each time', () => {
    const target = namesBtf(TRICKY, 0);
    const index = CandidateIndex.of(target);
    const a = index.candidates(target, 2);
    a.push(999);
    expect(index.candidates(target, 2)).not.toContain(999);
  });
});

describe('essentialNameHash', () => {
  it('hashes a name as its essential name, on the tricky names and random ones', () => {
    for (const name of [...TRICKY, ...randomNames(99, 500, 12)]) {
      const bytes = Buffer.from(`${name}\0`, 'latin1');
      const essential = Buffer.from(essentialName(name), 'latin1');
      expect(essentialNameHash(bytes, 0), name).toBe(nameHash(essential, 0, essential.length));
    }
  });
});
