/** BTF kind numbers (spec §1.4). */
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

/** BTF magic number, read in the blob's byte order. */
export const BTF_MAGIC = 0xeb9f;
/** Size of the classic BTF header (the only one we write). */
export const BTF_HEADER_LEN = 24;
/** Size of the BTF header that carries the optional kind-layout section. */
export const BTF_LAYOUT_HEADER_LEN = 32;
/** Size of the common btf_type record header. */
export const TYPE_HEADER_LEN = 12;

/** INT encoding bits (spec §1.5). */
export const IntEncoding = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;

/**
 * What a 32-bit word of a type record holds, for generic validation, copying and id remapping:
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

/** Word layouts of every known kind, indexed by kind number (spec §1.4, §1.5). */
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

/** Kind number of a btf_type info word (bits 24-30). */
export function infoKind(info: number): number {
  return (info >>> 24) & 0x7f;
}

/** vlen of a btf_type info word (bits 0-23). */
export function infoVlen(info: number): number {
  return info & 0xffffff;
}

/** Pack a btf_type info word. */
export function packInfo(kind: number, vlen: number, kindFlag: boolean): number {
  return ((kindFlag ? 0x80000000 : 0) | ((kind & 0x7f) << 24) | (vlen & 0xffffff)) >>> 0;
}

/** Relocation kinds of .BTF.ext core_relo records (spec §2.6). */
export const ReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;

/** A CO-RE relocation kind number. */
export type ReloKindNumber = (typeof ReloKind)[keyof typeof ReloKind];

const RELO_KIND_NAMES = [
  'byte_off',
  'byte_sz',
  'field_exists',
  'signed',
  'lshift_u64',
  'rshift_u64',
  'local_type_id',
  'target_type_id',
  'type_exists',
  'type_size',
  'enumval_exists',
  'enumval_value',
  'type_matches',
];

/** libbpf's short name of a relocation kind ("byte_off", "type_matches"), or "unknown(<n>)". */
export function reloKindName(kind: number): string {
  return RELO_KIND_NAMES[kind] ?? `unknown(${kind})`;
}

/** Relocation kind classes (libbpf core_relo_is_*_based). */
export type ReloClass = 'field' | 'type' | 'enumval';

/** Class of a known relocation kind, undefined for unknown kinds. */
export function reloClass(kind: number): ReloClass | undefined {
  if (kind >= 0 && kind <= 5) return 'field';
  if (kind === 6 || kind === 7 || kind === 8 || kind === 9 || kind === 12) return 'type';
  if (kind === 10 || kind === 11) return 'enumval';
  return undefined;
}
