/** The four magic bytes every bundle starts with: ASCII `BTFB`. */
export const BUNDLE_MAGIC: readonly number[] = [0x42, 0x54, 0x46, 0x42];

/** The bundle format version this code writes and reads. */
export const BUNDLE_FORMAT_VERSION = 5;

/** Size in bytes of the fixed, uncompressed container header. */
export const BUNDLE_HEADER_SIZE = 28;

/** Largest inflated payload the format allows; a caller may set a lower limit when decoding. */
export const MAX_SECTION_SIZE = 1 << 30;

/** How a blob is stored in the data section. */
export const BlobMode = {
  /** Stored byte for byte. */
  Verbatim: 0,
  /** Canonical little-endian BTF, stored as column values. */
  BtfLittle: 1,
  /** Canonical big-endian BTF, stored as column values. */
  BtfBig: 2,
} as const;

/** The columns BTF type records are split into (docs/bundle-format.md), in stream order. */
export const BtfColumn = {
  /** Per record: kind | kflag << 5, then vlen. */
  Header: 0,
  /** Name words: global string id. */
  Name: 1,
  /** Type-id words, as is. */
  Type: 2,
  /** Sizes (word 2 of sized kinds, DATASEC entry sizes): as is. */
  Size: 3,
  /** Member bit offsets: zigzag(offset - previous member's offset). */
  Offset: 4,
  /** Enumerator values, as is. */
  Value: 5,
  /** Everything else (INT encoding, array length, linkage, ...): as is. */
  Misc: 6,
} as const;

/** Number of {@link BtfColumn}s. */
export const BTF_COLUMNS = 7;

/**
 * The column of a BTF blob after its {@link BtfColumn}s: the schema ids of its records in blob order (the
 * record columns hold them sorted by schema id), 0 for "the previous id + 1".
 */
export const ORDER_COLUMN = BTF_COLUMNS;

/** Number of columns a BTF blob is stored as: the {@link BtfColumn}s and the {@link ORDER_COLUMN}. */
export const STORED_COLUMNS = BTF_COLUMNS + 1;
