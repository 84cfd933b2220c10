import { type Btf, kindCoreCompat } from '../btf/btf.js';
import { essentialLengthAt, essentialName, essentialPrefixKey, prefixKey } from './names.js';

const indexes = new WeakMap<Btf, CandidateIndex>();

/**
 * The candidate lists of one target BTF (spec §3.2), by essential name. Looking up a local type gives exactly the
 * list libbpf's linear scan (bpf_core_add_cands) would: named target types of a core-compatible kind whose essential
 * name equals the local one, in ascending id order.
 *
 * Names are found in batches: {@link prepare} takes every name a set of objects will ask for and finds them all in
 * one pass over the target's types that reads only the first bytes of each type name (a key of the first four bytes
 * of its essential name, checked against a small table of the wanted keys). Only the few names whose key is wanted
 * are decoded. A name asked for without being prepared costs a pass of its own.
 */
export class CandidateIndex {
  /** Types of every kind by essential name, ascending ids, for every name looked for so far. */
  private readonly byName = new Map<string, number[]>();

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

  /** Find, in one pass over the target, the types of every essential name in `names` not looked for yet. */
  prepare(names: Iterable<string>): void {
    const wanted: WantedName[] = [];
    for (const name of names) {
      if (name === '' || this.byName.has(name)) continue;
      const ids: number[] = [];
      this.byName.set(name, ids);
      wanted.push({ bytes: Buffer.from(name, 'latin1'), ids });
    }
    if (wanted.length === 0) return;
    const table = new KeyTable(wanted);
    const { words, offsets, bytes, strStart } = this.target.typeTable();
    for (let id = 1; id < offsets.length; id++) {
      const nameOff = words[offsets[id] as number] as number;
      if (nameOff === 0) continue;
      const start = strStart + nameOff;
      const sharingKey = table.get(essentialPrefixKey(bytes, start));
      if (sharingKey === undefined) continue;
      const length = essentialLengthAt(bytes, start);
      for (const name of sharingKey) {
        if (name.bytes.length === length && sameBytes(bytes, start, name.bytes)) name.ids.push(id);
      }
    }
  }

  /** A fresh (mutable) candidate list for local type `localId` of `local`; empty for anonymous types. */
  candidates(local: Btf, localId: number): number[] {
    const name = local.name(localId);
    if (name === '') return [];
    const key = essentialName(name);
    this.prepare([key]);
    const kind = local.kind(localId);
    return (this.byName.get(key) as number[]).filter((id) => kindCoreCompat(this.target.kind(id), kind));
  }
}

/** An essential name being looked for, and the ids found so far. */
interface WantedName {
  /** Its latin1 bytes (an essential name: its key is the first bytes as they are). */
  bytes: Uint8Array;
  ids: number[];
}

/** Wanted names by the {@link essentialPrefixKey} of their first bytes: an open-addressing table of int keys. */
class KeyTable {
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
      const key = prefixKey(name.bytes, 0, name.bytes.length);
      let slot = hashKey(key) & this.mask;
      while (this.keys[slot] !== 0 && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
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

/** Whether `bytes` holds `name` at `start`. */
function sameBytes(bytes: Uint8Array, start: number, name: Uint8Array): boolean {
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false;
  return true;
}

/** Spread a prefix key over the table (Fibonacci hashing). */
function hashKey(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 16;
}
