/**
 * The BTF wire layout (kinds, record layouts, info packing, header, magic) as core uses it: one module in the
 * dependency-free runtime package, shared with the bundle's column codec, re-exported here. Below it, the CO-RE
 * relocation kinds of `.BTF.ext`, which only core reads.
 */
export {
  BTF_HEADER_LEN,
  BTF_LAYOUT_HEADER_LEN,
  BTF_MAGIC,
  type BtfHeader,
  type BtfSectionSizes,
  btfByteOrder,
  HOST_LITTLE_ENDIAN,
  IntEncoding,
  infoKind,
  infoKindFlag,
  infoVlen,
  intBits,
  intEncoding,
  intOffset,
  KIND_COUNT,
  KIND_LAYOUTS,
  Kind,
  type KindLayout,
  type KindNumber,
  kindName,
  MAX_BITFIELD_MEMBER_OFFSET,
  memberBitfieldSize,
  memberBitOffset,
  packInfo,
  packMemberOffset,
  readBtfHeader,
  vlenCountsElements,
  type WordRole,
  wordRole,
  writeBtfHeader,
} from '@btf-bundle/runtime/internal/btf-layout';

/** Relocation kinds of .BTF.ext core_relo records (docs/bpf-objects.md#relocation-kinds). */
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
