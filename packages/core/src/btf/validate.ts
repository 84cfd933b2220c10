import { FormatError } from '../errors.js';
import type { Btf } from './btf.js';
import {
  infoKind,
  infoKindFlag,
  infoVlen,
  intBits,
  intEncoding,
  intOffset,
  Kind,
  kindName,
  memberBitfieldSize,
  memberBitOffset,
} from './format.js';

/** The kernel's limit on chains of types it has not resolved yet when it loads BTF. */
export const MAX_RESOLVE_DEPTH = 32;

/** Bits of the INT data word that must be zero (above the 4 encoding bits). */
const INT_RESERVED_BITS = 0xf0000000;
const INT_ENCODINGS = new Set([0, 1, 2, 4]); // none, SIGNED, CHAR, BOOL: at most one

/** Per kind number: 1 for the kinds that only refer to another type (chains of them are judged by depth). */
const IS_LINK = new Uint8Array(128);
for (const kind of [Kind.TYPEDEF, Kind.CONST, Kind.VOLATILE, Kind.RESTRICT, Kind.TYPE_TAG, Kind.PTR])
  IS_LINK[kind] = 1;

/**
 * Check what the kernel's BTF verifier checks of each type when it loads BTF, and libbpf when it sizes one, so
 * that a BTF they refuse is refused here too, with their meaning: INT encodings and bit counts, ENUM sizes, ARRAY
 * element and index types, STRUCT/UNION member offsets and bitfields inside the struct, and chains of
 * typedefs, modifiers and pointers free of loops and within the kernel's resolve depth ({@link checkChains}; a deep
 * chain and a loop get different messages). One pass over the raw records.
 *
 * With `ids` (ascending), only those types are checked, and the chains starting at them: what a minimizer keeps
 * of a kernel, whose other ~100k types it never copies. Their chains are judged as if every earlier type were
 * resolved and no later one, which never accepts a chain the whole-BTF check refuses: a subset that passes
 * passes this check in any output that keeps those types in id order. (The kernel's resolve stack also holds the
 * struct, union, array or pointer that reaches a chain while that is still unresolved, and the later structs nested
 * in it; this check judges a chain from its first link alone, so a shorter chain that such a type names can still
 * exceed the kernel's depth.)
 * Throws a {@link FormatError} naming the type id.
 */
export function validateTypes(btf: Btf, ids?: readonly number[]): void {
  const fail = (id: number, detail: string) =>
    new FormatError(`${btf.describe(id)}: ${detail}`, btf.place({ typeId: id }));
  const count = ids ? ids.length : btf.typeCount - 1;
  const idAt = ids ? (i: number) => ids[i] as number : (i: number) => i + 1;
  checkChains(btf, fail, count, idAt);
  const { words, offsets } = btf.typeTable();
  const members = new MemberExtents(btf);
  for (let i = 0; i < count; i++) {
    const id = idAt(i);
    const p = offsets[id] as number;
    const info = words[p + 1] as number;
    const kind = infoKind(info);
    if (kind === Kind.STRUCT || kind === Kind.UNION) {
      checkMembers(btf, id, words, p, members, fail);
    } else if (kind === Kind.INT) checkInt(id, words, p, fail);
    else if (kind === Kind.ENUM || kind === Kind.ENUM64) {
      const size = words[p + 2] as number;
      if (size === 0 || size > 8 || (size & (size - 1)) !== 0)
        throw fail(id, `size ${size} is not 1, 2, 4 or 8`);
    } else if (kind === Kind.ARRAY) {
      if (words[p + 3] === 0) throw fail(id, 'element type is void');
      if (words[p + 4] === 0) throw fail(id, 'index type is void');
    }
  }
}

type Fail = (id: number, detail: string) => FormatError;

/** Unknown yet, in {@link MemberExtents.bits}. */
const UNKNOWN_BITS = -1;
/** Unsized (void, FUNC, FWD, ...): not this check's business. */
const UNSIZED = -2;

/**
 * What a member of each type occupies, as the kernel counts it, memoized per type (a kernel has ~400k members
 * over a few thousand distinct member types): an INT's value bits (and bit offset, for legacy bitfields), else
 * the type's byte size times 8.
 */
class MemberExtents {
  /** Bits per type id: {@link UNKNOWN_BITS} until computed, {@link UNSIZED} when it has no size. */
  readonly bits: Float64Array;
  /** Per type id: the INT's bit offset when the type is (a typedef or modifier of) an INT, else -1. */
  readonly intOffset: Int16Array;

  constructor(private readonly btf: Btf) {
    this.bits = new Float64Array(btf.typeCount).fill(UNKNOWN_BITS);
    this.intOffset = new Int16Array(btf.typeCount).fill(-1);
  }

  /** Fill in `bits[type]` (and `intOffset[type]`). */
  compute(type: number): void {
    const { btf } = this;
    const base = btf.skipModsAndTypedefs(type);
    if (btf.kind(base) === Kind.INT) {
      this.bits[type] = btf.intBits(base);
      this.intOffset[type] = btf.intOffset(base);
      return;
    }
    const size = btf.sizeOf(type);
    this.bits[type] = typeof size === 'number' ? size * 8 : UNSIZED;
  }
}

/** INT record at word `p`: size, data word. */
function checkInt(id: number, words: Uint32Array, p: number, fail: Fail): void {
  const vlen = infoVlen(words[p + 1] as number);
  if (vlen !== 0) throw fail(id, `vlen is ${vlen}, not 0`);
  const size = words[p + 2] as number;
  const data = words[p + 3] as number;
  if ((data & INT_RESERVED_BITS) !== 0) throw fail(id, `INT data 0x${data.toString(16)} sets reserved bits`);
  const bits = intBits(data) + intOffset(data);
  if (bits > 128) throw fail(id, `${bits} bits (offset included), more than 128`);
  if (Math.ceil(bits / 8) > size) throw fail(id, `${bits} bits do not fit its ${size} bytes`);
  const encoding = intEncoding(data);
  if (!INT_ENCODINGS.has(encoding)) throw fail(id, `encoding ${encoding} is not one of SIGNED, CHAR, BOOL`);
}

/** `member <i> '<name>'` of composite `id`, for messages. */
function memberName(btf: Btf, id: number, i: number): string {
  return `member ${i} '${btf.memberName(id, i)}'`;
}

/** Members of the STRUCT or UNION record at word `p` lie inside it, as the kernel counts their bits. */
function checkMembers(
  btf: Btf,
  id: number,
  words: Uint32Array,
  p: number,
  extents: MemberExtents,
  fail: Fail,
): void {
  const info = words[p + 1] as number;
  const structBytes = words[p + 2] as number;
  const union = infoKind(info) === Kind.UNION;
  const kflag = infoKindFlag(info);
  for (let i = 0, n = infoVlen(info), q = p + 3; i < n; i++, q += 3) {
    const type = words[q + 1] as number;
    if (type === 0) throw fail(id, `${memberName(btf, id, i)} has type void`);
    const offsetWord = words[q + 2] as number;
    const bitOffset = memberBitOffset(offsetWord, kflag);
    if (union && bitOffset !== 0)
      throw fail(id, `${memberName(btf, id, i)} of a union is at bit ${bitOffset}, not 0`);
    // ">" not ">=": a last member may be a zero-length array at the very end.
    if (Math.ceil(bitOffset / 8) > structBytes)
      throw fail(
        id,
        `${memberName(btf, id, i)} is at bit ${bitOffset}, beyond the ${structBytes}-byte ${kindName(infoKind(info))}`,
      );
    // The bits the member occupies, as the kernel counts them: a bitfield's own width, an INT's value bits (a
    // legacy bitfield INT adds its bit offset), else the byte size of the type.
    let startBits = bitOffset;
    let bits = memberBitfieldSize(offsetWord, kflag);
    let valueBits = bits !== 0; // a bitfield or an INT: copied as at most 128 bits
    if (bits === 0) {
      if (extents.bits[type] === UNKNOWN_BITS) extents.compute(type);
      bits = extents.bits[type] as number;
      if (bits === UNSIZED) continue;
      const intOffset = extents.intOffset[type] as number;
      if (intOffset >= 0) {
        if (!kflag) startBits += intOffset;
        valueBits = true;
      }
    }
    const copyBits = bits + (startBits % 8);
    if (valueBits && copyBits > 128)
      throw fail(id, `${memberName(btf, id, i)}: ${bits} bits at bit ${startBits} span over 128 bits`);
    const endBytes = Math.floor(startBits / 8) + Math.ceil(copyBits / 8);
    if (endBytes > structBytes)
      throw fail(
        id,
        `${memberName(btf, id, i)} ends at byte ${endBytes}, beyond the ${structBytes}-byte ${kindName(infoKind(info))}`,
      );
  }
}

/**
 * The kernel resolves types in id order, each reference followed until a type it has already resolved: a chain of
 * typedefs, modifiers or pointers that runs forward through more than {@link MAX_RESOLVE_DEPTH} types not resolved
 * yet is refused ("Exceeded max resolving depth"), and one that comes back to itself is a loop ("Loop detected").
 * Chains through earlier ids cost one step each, so a long chain in id order is accepted, as by the kernel. Each
 * type is walked once. The chains checked start at the `count` ascending ids `idAt(0..count-1)`; an id below the
 * start counts as resolved (whether or not it was a start itself).
 */
function checkChains(btf: Btf, fail: Fail, count: number, idAt: (i: number) => number): void {
  const { words, offsets } = btf.typeTable();
  const RESOLVED = 1;
  const ON_PATH = 2;
  const state = new Uint8Array(btf.typeCount);
  state[0] = RESOLVED; // void ends every chain, so offsets[0] is never read
  const path: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = idAt(i);
    let id = start;
    while (
      id >= start &&
      state[id] === 0 &&
      IS_LINK[infoKind(words[(offsets[id] as number) + 1] as number)] === 1
    ) {
      state[id] = ON_PATH;
      path.push(id);
      id = words[(offsets[id] as number) + 2] as number;
    }
    if (state[id] === ON_PATH)
      throw fail(start, `loop of typedefs, modifiers or pointers back to type id ${id}`);
    if (path.length > MAX_RESOLVE_DEPTH) {
      throw fail(
        start,
        `chain of typedefs, modifiers or pointers through more than ${MAX_RESOLVE_DEPTH} later types (the kernel's resolve depth)`,
      );
    }
    for (const link of path) state[link] = RESOLVED;
    path.length = 0;
    state[start] = RESOLVED;
  }
}
