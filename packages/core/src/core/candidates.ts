import { type Btf, isEnum } from '../btf/btf.js';
import { Kind } from '../btf/format.js';
import { essentialName, hashEssentialName, hashName } from './names.js';

/** ENUM and ENUM64 are one class (libbpf btf_kind_core_compat); every other kind is its own. */
function kindClass(kind: number): number {
  return isEnum(kind) ? Kind.ENUM : kind;
}

const indexes = new WeakMap<Btf, CandidateIndex>();

/** Named target types of one kind class, bucketed by a hash of their essential names, and what was looked up. */
interface ClassIndex {
  /** Ids (ascending) by essential-name hash. */
  byHash: Map<number, number[]>;
  /** Candidate lists already computed, by essential name. */
  found: Map<string, readonly number[]>;
}

/**
 * Target types grouped by (kind class, essential name), built once per target BTF and kind class, on first use.
 * Looking up a local type gives exactly the list libbpf's linear scan (bpf_core_add_cands, spec §3.2) would:
 * named target types of a core-compatible kind whose essential name equals the local one, in ascending id order.
 * Building a class hashes each name's bytes in place (no string is decoded); a lookup decodes only the names in
 * its hash bucket to confirm them.
 */
export class CandidateIndex {
  private readonly byClass = new Map<number, ClassIndex>();

  private constructor(readonly target: Btf) {}

  private classIndex(cls: number): ClassIndex {
    let index = this.byClass.get(cls);
    if (index) return index;
    const target = this.target;
    const { ids, nameOffs } = target.namedTypesOfKinds(cls, cls === Kind.ENUM ? Kind.ENUM64 : cls);
    const byHash = new Map<number, number[]>();
    for (let i = 0; i < ids.length; i++) {
      const h = hashEssentialName(target.bytes, target.stringStart(nameOffs[i] as number));
      const list = byHash.get(h);
      if (list) list.push(ids[i] as number);
      else byHash.set(h, [ids[i] as number]);
    }
    index = { byHash, found: new Map() };
    this.byClass.set(cls, index);
    return index;
  }

  /** Named types of class `cls` whose essential name is `key`, ascending (shared: do not mutate). */
  private lookup(cls: number, key: string): readonly number[] {
    const index = this.classIndex(cls);
    let list = index.found.get(key);
    if (!list) {
      const bucket = index.byHash.get(hashName(key)) ?? [];
      list = bucket.filter((id) => essentialName(this.target.name(id)) === key);
      index.found.set(key, list);
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
