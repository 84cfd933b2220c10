import { type Btf, isEnum } from '../btf/btf.js';
import { Kind } from '../btf/format.js';
import { essentialName } from './names.js';

/** ENUM and ENUM64 are one class (libbpf btf_kind_core_compat); every other kind is its own. */
function kindClass(kind: number): number {
  return isEnum(kind) ? Kind.ENUM : kind;
}

const indexes = new WeakMap<Btf, CandidateIndex>();

/**
 * Target types grouped by (kind class, essential name), built once per target BTF and kind class, on first use.
 * Looking up a local type gives exactly the list libbpf's linear scan (bpf_core_add_cands, spec §3.2) would:
 * named target types of a core-compatible kind whose essential name equals the local one, in ascending id order.
 * Only the names of kinds that relocations ask for are decoded (a kernel's ~50k FUNC names never are).
 */
export class CandidateIndex {
  private readonly byClass = new Map<number, Map<string, number[]>>();

  private constructor(readonly target: Btf) {}

  private classIndex(cls: number): Map<string, number[]> {
    let index = this.byClass.get(cls);
    if (index) return index;
    index = new Map();
    const target = this.target;
    for (let id = 1; id < target.typeCount; id++) {
      if (kindClass(target.kind(id)) !== cls || target.nameOff(id) === 0) continue;
      const key = essentialName(target.name(id));
      const list = index.get(key);
      if (list) list.push(id);
      else index.set(key, [id]);
    }
    this.byClass.set(cls, index);
    return index;
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
    return [...(this.classIndex(kindClass(local.kind(localId))).get(essentialName(name)) ?? [])];
  }
}
