/** The four magic bytes every bundle starts with: ASCII `BTFB`. */
export const BUNDLE_MAGIC: readonly number[] = [0x42, 0x54, 0x46, 0x42];

/** The bundle format version this code writes and reads. */
export const BUNDLE_FORMAT_VERSION = 1;

/** Size in bytes of the fixed, uncompressed container header. */
export const BUNDLE_HEADER_SIZE = 28;

/** Largest uncompressed section size a decoder accepts (also bounded by 1032x the compressed size). */
export const MAX_SECTION_SIZE = 1 << 30;

/** How a blob is stored in the data section. */
export const BlobMode = {
  /** Stored byte for byte. */
  Verbatim: 0,
  /** Canonical little-endian BTF, stored as word deltas plus global string ids. */
  BtfLittle: 1,
  /** Canonical big-endian BTF, stored as word deltas plus global string ids. */
  BtfBig: 2,
} as const;

/** Size of the raw BTF header a transformable blob must have. */
export const BTF_HEADER_SIZE = 24;
