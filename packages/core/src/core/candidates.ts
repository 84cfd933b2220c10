import { type Btf, isEnum } from '../btf/btf.js';
import { Kind } from '../btf/format.js';
import { essentialName, essentialNameLength } from './names.js';

/** ENUM and ENUM64 are one class (libbpf btf_kind_core_compat); every other kind is its own. */
function kindClass(kind: number): number {
  return isEnum(kind) ? Kind.ENUM : kind;
}

const indexes = new WeakMap<Btf, CandidateIndex>();

/**
 * Distinct names looked up in one kind class by scanning its name bytes before the class's names are all decoded
 * into a map instead. A scan compares bytes without allocating (microseconds for a kernel's ~10k structs); decoding
 * every name costs about as much as a few dozen scans, so this bounds the worst case at about twice the optimum.
 */
const SCANS_BEFORE_MAP = 48;

const UNDERSCORE = 0x5f;

/** Named target types of one kind class, and what was looked up in them. */
interface ClassIndex {
  /** Ids of the named types of the class, ascending. */
  ids: Uint32Array;
  /** Their name offsets, same order. */
  nameOffs: Uint32Array;
  /** Lists already found, by essential name. */
  found: Map<string, readonly number[]>;
  /** Every name of the class decoded (after {@link SCANS_BEFORE_MAP} scans). */
  all: Map<string, number[]> | undefined;
}

/**
 * Target types grouped by (kind class, essential name), built once per target BTF and kind class, on first use.
 * Looking up a local type gives exactly the list libbpf's linear scan (bpf_core_add_cands, spec §3.2) would:
 * named target types of a core-compatible kind whose essential name equals the local one, in ascending id order.
 * A lookup scans the class's name bytes without decoding them (only a name that continues with `___` after the
 * looked-up prefix is decoded, to check its flavor); a class looked up under many names is decoded once into a map.
 */
export class CandidateIndex {
  private readonly byClass = new Map<number, ClassIndex>();

  private constructor(readonly target: Btf) {}

  private classIndex(cls: number): ClassIndex {
    let index = this.byClass.get(cls);
    if (index) return index;
    const { ids, nameOffs } = this.target.namedTypesOfKinds(cls, cls === Kind.ENUM ? Kind.ENUM64 : cls);
    index = { ids, nameOffs, found: new Map(), all: undefined };
    this.byClass.set(cls, index);
    return index;
  }

  /** Named types of class `cls` whose essential name is `key`, ascending (shared: do not mutate). */
  private lookup(cls: number, key: string): readonly number[] {
    const index = this.classIndex(cls);
    const known = index.found.get(key) ?? index.all?.get(key);
    if (known) return known;
    if (index.all) return [];
    if (index.found.size >= SCANS_BEFORE_MAP) {
      index.all = this.decodeAll(index);
      return index.all.get(key) ?? [];
    }
    const list = this.scan(index, key);
    index.found.set(key, list);
    return list;
  }

  /** Linear scan of the class's name bytes for names whose essential name is `key`. */
  private scan(index: ClassIndex, key: string): number[] {
    const target = this.target;
    const prefix = Buffer.from(key, 'latin1');
    const first = prefix[0];
    const { ids, nameOffs } = index;
    // A key with its own `___x` part (the essential name of `a___x___y`) is not the essential name of itself.
    const exactMatches = essentialNameLength(key) === key.length;
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const off = nameOffs[i] as number;
      if (target.stringByte(off) !== first) continue;
      const end = target.stringPrefixEnd(off, prefix);
      if (end < 0 || (end === 0 && !exactMatches)) continue;
      // Longer than the key: a match only if the rest is a `___flavor` suffix (decode to check exactly).
      if (
        end > 0 &&
        !(
          target.stringByte(end) === UNDERSCORE &&
          target.stringByte(end + 1) === UNDERSCORE &&
          target.stringByte(end + 2) === UNDERSCORE &&
          essentialName(target.string(off)) === key
        )
      ) {
        continue;
      }
      out.push(ids[i] as number);
    }
    return out;
  }

  /** Every name of the class decoded and grouped by essential name. */
  private decodeAll(index: ClassIndex): Map<string, number[]> {
    const all = new Map<string, number[]>();
    const { ids, nameOffs } = index;
    for (let i = 0; i < ids.length; i++) {
      const key = essentialName(this.target.string(nameOffs[i] as number));
      const list = all.get(key);
      if (list) list.push(ids[i] as number);
      else all.set(key, [ids[i] as number]);
    }
    return all;
  }

  /** The index of `target`, built on first use and shared afterwards. */
  static of(target: Btf): CandidateIndex {
    let index = indexes.get(target);
    if (!index) {
      index = new CandidateIndex(target);
      indexes.set(target, index);
    }
    return index;
  }

  /** A fresh (mutable) candidate list for local type `localId` of `local`; empty for anonymous types. */
  candidates(local: Btf, localId: number): number[] {
    const name = local.name(localId);
    if (name === '') return [];
    return [...this.lookup(kindClass(local.kind(localId)), essentialName(name))];
  }
}
