import { type Btf, isEnum } from '../btf/btf.js';
import { essentialName } from './names.js';

function classKey(kind: number, essential: string): string {
  return `${isEnum(kind) ? 'enum' : kind}\u0000${essential}`;
}

const indexes = new WeakMap<Btf, CandidateIndex>();

/**
 * Target types grouped by (kind class, essential name), built once per target BTF. Looking up a local type gives
 * exactly the list libbpf's linear scan (bpf_core_add_cands, spec §3.2) would: named target types of a
 * core-compatible kind whose essential name equals the local one, in ascending id order.
 */
export class CandidateIndex {
  private readonly byKey = new Map<string, number[]>();

  private constructor(readonly target: Btf) {
    for (let id = 1; id < target.typeCount; id++) {
      const name = target.name(id);
      if (name === '') continue;
      const key = classKey(target.kind(id), essentialName(name));
      const list = this.byKey.get(key);
      if (list) list.push(id);
      else this.byKey.set(key, [id]);
    }
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
    return [...(this.byKey.get(classKey(local.kind(localId), essentialName(name))) ?? [])];
  }
}
