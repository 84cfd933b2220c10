import { type Btf, isEnum } from '../btf/btf.js';
import { Kind } from '../btf/format.js';
import { essentialName, hashEssentialName, hashName } from './names.js';

/** ENUM and ENUM64 are one class (libbpf btf_kind_core_compat); every other kind is its own. */
function kindClass(kind: number): number {
  return isEnum(kind) ? Kind.ENUM : kind;
}

const indexes = new WeakMap<Btf, CandidateIndex>();

/**
 * The named target types of one kind class in a chained hash table keyed by a hash of their essential names:
 * typed arrays only (no object per type or per bucket), chains in ascending id order.
 */
interface ClassTable {
  /** Type id of each entry, ascending. */
  ids: Uint32Array;
  /** Essential-name hash of each entry. */
  hashes: Uint32Array;
  /** Next entry of the same bucket, or -1. */
  next: Int32Array;
  /** First entry of each bucket, or -1. */
  head: Int32Array;
  /** Lists already computed, by essential name. */
  found: Map<string, readonly number[]>;
}

/**
 * Target types grouped by (kind class, essential name), built once per target BTF and kind class, on first use.
 * Looking up a local type gives exactly the list libbpf's linear scan (bpf_core_add_cands, spec §3.2) would:
 * named target types of a core-compatible kind whose essential name equals the local one, in ascending id order.
 * Building a class hashes its names' bytes in place (nothing is decoded); a lookup decodes only the names of its
 * hash chain.
 */
export class CandidateIndex {
  private readonly tables = new Map<number, ClassTable>();

  private constructor(readonly target: Btf) {}

  /** Named types grouped by kind class (entries into the arrays of `Btf.namedTypes`, ascending). */
  private byClass: Map<number, Uint32Array> | undefined;
  private named: ReturnType<Btf['namedTypes']> | undefined;

  /** Group the target's named types by kind class, in one counting pass. */
  private group(): Map<number, Uint32Array> {
    const named = this.target.namedTypes();
    const kinds = named.kinds;
    const counts = new Uint32Array(128);
    for (let i = 0; i < kinds.length; i++) {
      const cls = kindClass(kinds[i] as number);
      counts[cls] = (counts[cls] as number) + 1;
    }
    const groups = new Map<number, Uint32Array>();
    const lists: (Uint32Array | undefined)[] = [];
    for (let cls = 0; cls < counts.length; cls++) {
      if (counts[cls] === 0) continue;
      const list = new Uint32Array(counts[cls] as number);
      lists[cls] = list;
      groups.set(cls, list);
    }
    const fill = new Uint32Array(128);
    for (let i = 0; i < kinds.length; i++) {
      const cls = kindClass(kinds[i] as number);
      const at = fill[cls] as number;
      (lists[cls] as Uint32Array)[at] = i;
      fill[cls] = at + 1;
    }
    this.named = named;
    return groups;
  }

  /** The table of kind class `cls`: its named types hashed, on first use. */
  private table(cls: number): ClassTable {
    let table = this.tables.get(cls);
    if (table) return table;
    const target = this.target;
    this.byClass ??= this.group();
    const { ids, nameOffs } = this.named as ReturnType<Btf['namedTypes']>;
    const entries = this.byClass.get(cls) ?? new Uint32Array(0);
    const n = entries.length;
    let size = 16;
    while (size < 2 * n) size *= 2;
    table = {
      ids: new Uint32Array(n),
      hashes: new Uint32Array(n),
      next: new Int32Array(n),
      head: new Int32Array(size).fill(-1),
      found: new Map(),
    };
    // Back to front, so that each chain ends up in ascending id order.
    for (let e = n - 1; e >= 0; e--) {
      const i = entries[e] as number;
      const h = hashEssentialName(target.bytes, target.stringStart(nameOffs[i] as number));
      const bucket = h & (size - 1);
      table.ids[e] = ids[i] as number;
      table.hashes[e] = h;
      table.next[e] = table.head[bucket] as number;
      table.head[bucket] = e;
    }
    this.tables.set(cls, table);
    return table;
  }

  /** Named types of class `cls` whose essential name is `key`, ascending (shared: do not mutate). */
  private lookup(cls: number, key: string): readonly number[] {
    const table = this.table(cls);
    let list = table.found.get(key);
    if (!list) {
      const found: number[] = [];
      const h = hashName(key);
      for (let e = table.head[h & (table.head.length - 1)] as number; e >= 0; e = table.next[e] as number) {
        const id = table.ids[e] as number;
        if (table.hashes[e] === h && essentialName(this.target.name(id)) === key) found.push(id);
      }
      list = found;
      table.found.set(key, list);
    }
    return list;
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
