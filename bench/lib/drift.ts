// Layout drift for scale benchmarks: derives kernel BTFs that differ from a real one the way the releases of a
// series do. Real BTFHub snapshots hold hundreds of releases per distro version whose reduced BTFs mostly agree;
// now and then a struct gains a member (every later member moves and the struct grows) or loses one. We only
// have a few dozen real kernels, so variants of them stand in for the rest, drifting step by step.
import {
  BTF_HEADER_LEN,
  infoKind,
  infoVlen,
  Kind,
  recordWords,
  splitBtf,
} from '../../packages/runtime/src/internal.js';

/** A small deterministic PRNG (mulberry32), so variants are the same bytes on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One struct record of a full BTF: where its words are and how many members it has. */
interface StructRecord {
  /** Byte offset of the record in the blob. */
  at: number;
  vlen: number;
  name: string;
}

/** Kinds whose record's word 2 is a type id a struct can be held through by value (modifiers, typedefs). */
const THROUGH = new Set<number>([Kind.TYPEDEF, Kind.CONST, Kind.VOLATILE, Kind.RESTRICT, Kind.TYPE_TAG]);

function structRecords(raw: Uint8Array): { records: StructRecord[]; little: boolean } {
  const split = splitBtf(raw);
  if (!split) throw new Error('drift: not a canonical raw BTF');
  const names = new Map<number, string>();
  let off = 0;
  for (const s of split.strings) {
    names.set(off, Buffer.from(s).toString('latin1'));
    off += s.length + 1;
  }
  const { words } = split;
  const structs = new Map<number, StructRecord>();
  const alias = new Map<number, number>(); // typedef/modifier id -> the type it names
  const heldByValue: number[] = []; // member types and array element types
  let id = 1;
  for (let w = 0; w < words.length; id++) {
    const info = words[w + 1]!;
    const n = recordWords(info);
    if (n === undefined) throw new Error(`drift: unknown kind at word ${w}`);
    const kind = infoKind(info);
    const vlen = infoVlen(info);
    const name = names.get(words[w]!) ?? '';
    if (kind === Kind.STRUCT && vlen > 1 && name) structs.set(id, { at: BTF_HEADER_LEN + 4 * w, vlen, name });
    if (THROUGH.has(kind)) alias.set(id, words[w + 2]!);
    if (kind === Kind.ARRAY) heldByValue.push(words[w + 3]!);
    if (kind === Kind.STRUCT || kind === Kind.UNION) {
      for (let m = 0; m < vlen; m++) heldByValue.push(words[w + 3 + 3 * m + 1]!);
    }
    w += n;
  }
  // A struct another type holds by value cannot grow without its holder growing too: leave those alone.
  const fixed = new Set<number>();
  for (let t of heldByValue) {
    for (let hops = 0; hops < 16 && alias.has(t); hops++) t = alias.get(t)!;
    fixed.add(t);
  }
  const records = [...structs].filter(([sid]) => !fixed.has(sid)).map(([, r]) => r);
  return { records, little: split.littleEndian };
}

/**
 * Returns a copy of the full raw BTF `raw` after `steps` drift steps: each step takes one of the named structs
 * (`targets`, e.g. the structs a reduced BTF of this kernel keeps; those no other type holds by value, so that the
 * result stays a valid BTF) and either inserts 8 bytes before one of its members (later members move, the struct
 * grows) or, one time in four, renames a member to the struct's own name
 * (the member is gone for CO-RE). The same (raw, targets, seed, steps) gives the same bytes; steps accumulate, so
 * variant n+1 differs from variant n by one step.
 */
export function driftBtf(
  raw: Uint8Array,
  targets: ReadonlySet<string>,
  seed: number,
  steps: number,
): Uint8Array {
  const out = raw.slice();
  const { records, little } = structRecords(out);
  const pool = records.filter((r) => targets.has(r.name));
  if (pool.length === 0) throw new Error('drift: no target struct in this BTF');
  const view = new DataView(out.buffer);
  const rand = prng(seed);
  for (let s = 0; s < steps; s++) {
    const rec = pool[Math.floor(rand() * pool.length)]!;
    const member = 1 + Math.floor(rand() * (rec.vlen - 1));
    const first = rec.at + 12;
    if (rand() < 0.25) {
      view.setUint32(first + 12 * member, view.getUint32(rec.at, little), little);
      continue;
    }
    view.setUint32(rec.at + 8, view.getUint32(rec.at + 8, little) + 8, little);
    for (let m = member; m < rec.vlen; m++) {
      const o = first + 12 * m + 8;
      view.setUint32(o, view.getUint32(o, little) + 64, little);
    }
  }
  return out;
}
