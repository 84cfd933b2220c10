import { type Btf, isEnum, latin1At } from '../btf/btf.js';
import { essentialLengthAt, essentialNameHash, nameHash } from '../btf/essential-name.js';
import { infoKind, Kind } from '../btf/format.js';
import { CANDIDATE_KINDS } from '../btf/parse.js';
import { essentialName } from './names.js';

const indexes = new WeakMap<Btf, CandidateIndex>();

/** The candidates of an anonymous type. */
const NO_CANDIDATES: readonly number[] = [];

/** The value for type `id` of `btf` in `cache`, computed by `compute` the first time. */
function memoizedPerType<T>(cache: WeakMap<Btf, Map<number, T>>, btf: Btf, id: number, compute: () => T): T {
  let values = cache.get(btf);
  if (!values) {
    values = new Map();
    cache.set(btf, values);
  }
  let value = values.get(id);
  if (value === undefined) {
    value = compute();
    values.set(id, value);
  }
  return value;
}

/** Names of local (object) types already decoded, by BTF: every kernel asks for the same ones again. */
const localNames = new WeakMap<Btf, Map<number, string>>();

/** The name of type `id` of `local`, an object's BTF (decoded once per process). */
export function localNameOf(local: Btf, id: number): string {
  return memoizedPerType(localNames, local, id, () => local.name(id));
}

/** Essential names of local types, by BTF: looked up for every relocation against every kernel. */
const localEssentialNames = new WeakMap<Btf, Map<number, string>>();

/** The essential name (see {@link essentialName}) of type `id` of `local`, an object's BTF (once per process). */
function localEssentialNameOf(local: Btf, id: number): string {
  return memoizedPerType(localEssentialNames, local, id, () => essentialName(localNameOf(local, id)));
}

/** ENUM and ENUM64 are one class (libbpf btf_kind_core_compat); every other kind is its own. */
function kindClass(kind: number): number {
  return isEnum(kind) ? Kind.ENUM : kind;
}

/**
 * The candidate lists of one target BTF (docs/core-relocations.md#candidates). Looking up a local type gives exactly the list libbpf's linear
 * scan (bpf_core_add_cands) would: named target types of a core-compatible kind whose essential name equals the
 * local one, in ascending id order.
 *
 * Lists are found in batches: {@link prepare} takes every local type a set of objects will ask about and finds all
 * their lists in one pass over the target's types. The pass skips types of kinds nobody asked for (a kernel's
 * ~60k FUNCs, for one) without touching their names, and reads only the first bytes of the others' (a key of the
 * first four bytes of the essential name, checked against a small table of the wanted keys); only names whose key
 * is wanted are compared in full. A type looked up without being prepared costs a pass of its own.
 */
export class CandidateIndex {
  /** Lists found so far, by kind class and essential name. */
  private readonly lists = new Map<number, Map<string, number[]>>();

  private constructor(readonly target: Btf) {}

  /** The index of `target`, created on first use and shared afterwards. */
  static of(target: Btf): CandidateIndex {
    let index = indexes.get(target);
    if (!index) {
      index = new CandidateIndex(target);
      indexes.set(target, index);
    }
    return index;
  }

  /**
   * Find, in one pass over the target, the candidate lists of the local types not looked for yet: `types` holds
   * (local BTF, type id) pairs, anonymous types are ignored.
   */
  prepare(types: Iterable<readonly [local: Btf, id: number]>): void {
    const wanted: WantedName[] = [];
    const wantedClasses = new Uint8Array(128);
    for (const [local, id] of types) {
      const name = localEssentialNameOf(local, id);
      if (name === '') continue;
      const cls = kindClass(local.kind(id));
      let byName = this.lists.get(cls);
      if (!byName) {
        byName = new Map();
        this.lists.set(cls, byName);
      }
      if (byName.has(name)) continue;
      const list: number[] = [];
      byName.set(name, list);
      wanted.push({ name, cls, ids: list });
      wantedClasses[cls] = 1;
      if (cls === Kind.ENUM) wantedClasses[Kind.ENUM64] = 1;
    }
    if (wanted.length === 0) return;
    const table = new KeyTable(wanted);
    const { words, offsets, candidateIds, candidateKeys, bytes, strStart } = this.target.typeTable();
    // The named records of the usual root kinds are listed by the parse: only when some other kind is wanted
    // (a FUNC, a VAR, ...) does the scan visit every record.
    const onlyListed = wantedClasses.every(
      (wantedClass, kind) => wantedClass === 0 || CANDIDATE_KINDS.includes(kind),
    );
    const count = onlyListed ? candidateIds.length : offsets.length - 1;
    // This loop runs over thousands of kernel records once per kernel, before the JIT has optimized it: the
    // common way out (a name hash no wanted name has, of a listed record) makes no call and reads no record.
    const { hashes } = table;
    // Wanted kinds by the top byte of a record's info word (the kind and the kind flag).
    const wantedTops = Uint8Array.from(
      { length: 256 },
      (_, top) => wantedClasses[infoKind(top << 24)] as number,
    );
    for (let i = 0; i < count; i++) {
      const listedKey = onlyListed ? (candidateKeys[i] as number) : 0;
      // (hashKey written out: no call on the common way out.)
      if (onlyListed && hashes[Math.imul(listedKey, HASH_MULTIPLIER) >>> 16] === 0) continue;
      const id = onlyListed ? (candidateIds[i] as number) : i + 1;
      const at = offsets[id] as number;
      const info = words[at + 1] as number;
      if (wantedTops[info >>> 24] === 0) continue;
      const nameOff = words[at] as number;
      if (nameOff === 0) continue;
      const start = strStart + nameOff;
      const key = onlyListed ? listedKey : essentialNameHash(bytes, start);
      const sharingKey = table.get(key);
      if (sharingKey === undefined) continue;
      const length = essentialLengthAt(bytes, start);
      const kind = infoKind(info);
      const cls = kindClass(kind);
      for (const name of sharingKey) {
        if (name.cls === cls && name.name.length === length && latin1At(bytes, start, name.name))
          name.ids.push(id);
      }
    }
  }

  /** A fresh (mutable) candidate list for local type `localId` of `local`; empty for anonymous types. */
  candidates(local: Btf, localId: number): number[] {
    return [...this.sharedCandidates(local, localId)];
  }

  /**
   * The candidate list for local type `localId` of `local` as the index keeps it (read only: the resolver asks
   * for it once per relocation, so neither a copy nor a preparation when it is known already).
   */
  sharedCandidates(local: Btf, localId: number): readonly number[] {
    const name = localEssentialNameOf(local, localId);
    if (name === '') return NO_CANDIDATES;
    const cls = kindClass(local.kind(localId));
    let list = this.lists.get(cls)?.get(name);
    if (!list) {
      this.prepare([[local, localId]]);
      list = this.lists.get(cls)?.get(name) as number[];
    }
    return list;
  }
}

/** An essential name being looked for, and the ids found so far. */
interface WantedName {
  /** The essential name (its key is the hash of its bytes as they are: it is essential already). */
  name: string;
  /** The kind class asked for. */
  cls: number;
  ids: number[];
}

/** Wanted names by the {@link essentialNameHash} of their bytes: an open-addressing table of int keys. */
class KeyTable {
  /** Non-zero at the {@link hashKey} of each wanted name's key: a sieve before the table. */
  readonly hashes = new Uint8Array(0x10000);
  private readonly keys: Int32Array;
  private readonly names: WantedName[][];
  private readonly mask: number;

  constructor(wanted: readonly WantedName[]) {
    let size = 16;
    while (size < 4 * wanted.length) size *= 2;
    this.keys = new Int32Array(size); // 0 marks an empty slot: no key is 0
    this.names = new Array(size);
    this.mask = size - 1;
    for (const name of wanted) {
      const key = nameHash(Buffer.from(name.name, 'latin1'), 0, name.name.length);
      let slot = hashKey(key) & this.mask;
      while (this.keys[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.hashes[hashKey(key)] = 1;
      const sharing = this.names[slot];
      if (sharing) sharing.push(name);
      else this.names[slot] = [name];
    }
  }

  /** The wanted names whose key is `key`, if any. */
  get(key: number): WantedName[] | undefined {
    for (let slot = hashKey(key) & this.mask; ; slot = (slot + 1) & this.mask) {
      const k = this.keys[slot] as number;
      if (k === key) return this.names[slot];
      if (k === 0) return undefined;
    }
  }
}

/** The multiplier of {@link hashKey}. */
const HASH_MULTIPLIER = 0x9e3779b1;

/** Spread a name hash over 16 bits (Fibonacci hashing). */
function hashKey(key: number): number {
  return Math.imul(key, HASH_MULTIPLIER) >>> 16;
}
