/**
 * The BTF wire layout, in one place (docs/btf-format.md): kind numbers and names, the word layout of each kind's
 * record, the packing of the `info` word, the blob header and the magic that gives the byte order. Core's parser
 * and writer and the bundle's column codec all derive from these tables, so a new kind is one entry in
 * {@link Kind} and one in {@link KIND_LAYOUTS}.
 */

/** BTF kind numbers. */
export const Kind = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** A BTF kind number. */
export type KindNumber = (typeof Kind)[keyof typeof Kind];

const KIND_NAMES: readonly string[] = Object.entries(Kind).reduce<string[]>((names, [name, kind]) => {
  names[kind] = name;
  return names;
}, []);

/** Upper-case name of a kind number ("STRUCT"), or "KIND<n>" for unknown ones. */
export function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `KIND${kind}`;
}

/** INT encoding bits (the top byte of an INT record's data word). */
export const IntEncoding = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;

/**
 * What a 32-bit word of a type record holds, for generic validation, copying, id remapping and column coding:
 * `s` a string offset, `t` a type id, `-` a plain value.
 */
export type WordRole = 's' | 't' | '-';

/** Word layout of one kind: the 3 header words, the single trailing object, and each of `vlen` trailing elements. */
export interface KindLayout {
  /** Roles of the header words name_off, info, size_or_type. */
  readonly header: readonly [WordRole, WordRole, WordRole];
  /** Roles of the words of the single trailing object (e.g. INT data). */
  readonly info: readonly WordRole[];
  /** Roles of the words of each vlen element (e.g. a member). */
  readonly element: readonly WordRole[];
}

const S: WordRole = 's';
const T: WordRole = 't';
const P: WordRole = '-';

const named = [S, P, P] as const;
const refersToType = [S, P, T] as const;

/** Word layouts of every known kind, indexed by kind number. */
export const KIND_LAYOUTS: readonly (KindLayout | undefined)[] = [
  undefined, // UNKN is never stored
  { header: named, info: [P], element: [] }, // INT
  { header: refersToType, info: [], element: [] }, // PTR
  { header: named, info: [T, T, P], element: [] }, // ARRAY
  { header: named, info: [], element: [S, T, P] }, // STRUCT
  { header: named, info: [], element: [S, T, P] }, // UNION
  { header: named, info: [], element: [S, P] }, // ENUM
  { header: named, info: [], element: [] }, // FWD
  { header: refersToType, info: [], element: [] }, // TYPEDEF
  { header: refersToType, info: [], element: [] }, // VOLATILE
  { header: refersToType, info: [], element: [] }, // CONST
  { header: refersToType, info: [], element: [] }, // RESTRICT
  { header: refersToType, info: [], element: [] }, // FUNC (vlen = linkage, no elements)
  { header: refersToType, info: [], element: [S, T] }, // FUNC_PROTO
  { header: refersToType, info: [P], element: [] }, // VAR
  { header: named, info: [], element: [T, P, P] }, // DATASEC
  { header: named, info: [], element: [] }, // FLOAT
  { header: refersToType, info: [P], element: [] }, // DECL_TAG
  { header: refersToType, info: [], element: [] }, // TYPE_TAG
  { header: named, info: [], element: [S, P, P] }, // ENUM64
];

/** Role of word `index` of a record with this layout (3 header words, the single trailing object, elements). */
export function wordRole(layout: KindLayout, index: number): WordRole {
  if (index < 3) return layout.header[index] as WordRole;
  const element = index - 3 - layout.info.length;
  if (element < 0) return layout.info[index - 3] as WordRole;
  return layout.element[element % layout.element.length] as WordRole;
}

/** Whether the vlen field of this kind counts trailing elements (FUNC uses it for linkage instead). */
export function vlenCountsElements(kind: number): boolean {
  return kind !== Kind.FUNC;
}

/** Kind numbers the info word can hold (7 bits). */
export const KIND_COUNT = 128;

/** Largest vlen the info word can hold (24 bits). */
export const MAX_VLEN = 0xffffff;

/** Largest vlen readers before the 24-bit widening accept (16 bits): everything we write stays within it. */
export const MAX_HISTORICAL_VLEN = 0xffff;

/** Width of the kind field before the 7-bit widening (bits 24-28): every kind we know fits in it. */
export const HISTORICAL_KIND_BITS = 5;

/** Kind number of a btf_type info word (bits 24-30). */
export function infoKind(info: number): number {
  return (info >>> 24) & (KIND_COUNT - 1);
}

/** vlen of a btf_type info word (bits 0-23). */
export function infoVlen(info: number): number {
  return info & MAX_VLEN;
}

/** kind_flag of a btf_type info word (bit 31). */
export function infoKindFlag(info: number): boolean {
  return info >>> 31 === 1;
}

/** Pack a btf_type info word. */
export function packInfo(kind: number, vlen: number, kindFlag: boolean): number {
  return ((kindFlag ? 0x80000000 : 0) | ((kind & (KIND_COUNT - 1)) << 24) | (vlen & MAX_VLEN)) >>> 0;
}

/** Encoding bits of an INT record's data word (bits 24-27): a combination of {@link IntEncoding}. */
export function intEncoding(data: number): number {
  return (data >>> 24) & 0x0f;
}

/** Bit offset of an INT's value inside its storage (bits 16-23 of the data word; legacy bitfield INTs only). */
export function intOffset(data: number): number {
  return (data >>> 16) & 0xff;
}

/** Number of value bits of an INT (bits 0-7 of the data word). */
export function intBits(data: number): number {
  return data & 0xff;
}

/** Largest member bit offset a STRUCT/UNION with kind_flag set can store (bits 0-23 of the offset word). */
export const MAX_BITFIELD_MEMBER_OFFSET = 0xffffff;

/**
 * Bit offset of a STRUCT/UNION member from its offset word: with the composite's kind_flag set, bits 0-23 (bits
 * 24-31 are then the bitfield size); without it, the whole word.
 */
export function memberBitOffset(word: number, kindFlag: boolean): number {
  return kindFlag ? word & MAX_BITFIELD_MEMBER_OFFSET : word;
}

/** Bitfield size of a STRUCT/UNION member from its offset word: bits 24-31 with kind_flag set, else 0. */
export function memberBitfieldSize(word: number, kindFlag: boolean): number {
  return kindFlag ? word >>> 24 : 0;
}

/**
 * The offset word of a STRUCT/UNION member: `bitfieldSize` in bits 24-31 over `bitOffset`. With kind_flag set the
 * offset must not exceed {@link MAX_BITFIELD_MEMBER_OFFSET}; without it the size is 0 and the word is the offset.
 */
export function packMemberOffset(bitOffset: number, bitfieldSize: number): number {
  return (bitOffset | (bitfieldSize << 24)) >>> 0;
}

/** BTF magic number, read in the blob's byte order (also the magic of `.BTF.ext`). */
export const BTF_MAGIC = 0xeb9f;
/** Size of the classic BTF header (the only one we write). */
export const BTF_HEADER_LEN = 24;
/** Size of the BTF header that carries the optional kind-layout section. */
export const BTF_LAYOUT_HEADER_LEN = 32;
/** Header version every encoder writes. */
export const BTF_VERSION = 1;

/**
 * Byte order of a blob that starts with the BTF (or `.BTF.ext`) magic: true for little-endian (bytes `9F EB`),
 * false for big-endian (`EB 9F`), undefined when `head` does not start with the magic.
 */
export function btfByteOrder(head: Uint8Array): boolean | undefined {
  if (head.length < 2) return undefined;
  if (head[0] === (BTF_MAGIC & 0xff) && head[1] === BTF_MAGIC >>> 8) return true;
  if (head[0] === BTF_MAGIC >>> 8 && head[1] === (BTF_MAGIC & 0xff)) return false;
  return undefined;
}

/** Whether this machine is little-endian (a blob in host order can be viewed as 32-bit words without a copy). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The fields of a BTF header, read in the blob's byte order. Section offsets count from the end of the header. */
export interface BtfHeader {
  /** True when the blob is little-endian. */
  littleEndian: boolean;
  version: number;
  flags: number;
  /** hdr_len: 24 for the classic header, 32 or more with the kind-layout fields. */
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
  /** layout_off; 0 when the header is shorter than {@link BTF_LAYOUT_HEADER_LEN}. */
  layoutOff: number;
  /** layout_len; 0 when the header is shorter than {@link BTF_LAYOUT_HEADER_LEN}. */
  layoutLen: number;
}

/**
 * The header of the BTF blob `bytes`, unchecked beyond the magic: undefined when `bytes` is shorter than the
 * classic header or does not start with the magic. The layout fields are read only when `hdr_len` announces them
 * and the bytes hold them. Callers check the fields with their own error type and place.
 */
export function readBtfHeader(bytes: Uint8Array): BtfHeader | undefined {
  const littleEndian = btfByteOrder(bytes);
  if (littleEndian === undefined || bytes.length < BTF_HEADER_LEN) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (offset: number) => view.getUint32(offset, littleEndian);
  const hdrLen = u32(4);
  const hasLayout = hdrLen >= BTF_LAYOUT_HEADER_LEN && bytes.length >= BTF_LAYOUT_HEADER_LEN;
  return {
    littleEndian,
    version: bytes[2] as number,
    flags: bytes[3] as number,
    hdrLen,
    typeOff: u32(8),
    typeLen: u32(12),
    strOff: u32(16),
    strLen: u32(20),
    layoutOff: hasLayout ? u32(24) : 0,
    layoutLen: hasLayout ? u32(28) : 0,
  };
}

/** Section sizes of a blob laid out as libbpf writes one: types, then the kind-layout section if any, then strings. */
export interface BtfSectionSizes {
  typeLen: number;
  strLen: number;
  /** Bytes of a kind-layout section; absent for the classic 24-byte header (the only one btf-bundle emits). */
  layoutLen?: number;
}

/**
 * Writes the header of a blob whose sections follow it in the order libbpf writes them: the type section, the
 * kind-layout section when `layoutLen` is given (then the header is the 32-byte one), the string section. Returns
 * the header length.
 */
export function writeBtfHeader(view: DataView, sizes: BtfSectionSizes, littleEndian: boolean): number {
  const { typeLen, strLen, layoutLen } = sizes;
  const hdrLen = layoutLen === undefined ? BTF_HEADER_LEN : BTF_LAYOUT_HEADER_LEN;
  view.setUint16(0, BTF_MAGIC, littleEndian);
  view.setUint8(2, BTF_VERSION);
  view.setUint8(3, 0);
  view.setUint32(4, hdrLen, littleEndian);
  view.setUint32(8, 0, littleEndian);
  view.setUint32(12, typeLen, littleEndian);
  view.setUint32(16, typeLen + (layoutLen ?? 0), littleEndian);
  view.setUint32(20, strLen, littleEndian);
  if (layoutLen !== undefined) {
    view.setUint32(24, typeLen, littleEndian);
    view.setUint32(28, layoutLen, littleEndian);
  }
  return hdrLen;
}
