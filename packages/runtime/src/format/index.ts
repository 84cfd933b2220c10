/**
 * Low-level pieces of the bundle format shared with the encoder in `@btf-bundle/core`
 * (exported through `@btf-bundle/runtime/internal`; not part of the app-facing API).
 */

/** The blob-number width of the bundle index. */
export { blobIndexWidth } from '../bundle/index-section.js';
/** The ELF magic (kernel BTFs may come as ELF files). */
export { ELF_MAGIC, isElf } from '../elf.js';
/** The order of kernels in a bundle's index. */
export { compareKernelKeys } from '../kernel/order.js';
/** The BTF column codec: a blob's records as columns, and back. */
export {
  columnOf,
  INFO_RESERVED,
  recordHeaderValue,
  recordWords,
  type StringTable,
  tableOfStrings,
} from './btf-columns.js';
/** The BTF wire layout: kinds, record layouts, header, magic. */
export * from './btf-layout.js';
/** The decoder of one stored BTF blob. */
export { rebuildBtf, type StoredBtf } from './btf-rebuild.js';
/** A canonical raw BTF blob taken apart into type-section words and strings. */
export { type SplitBtf, splitBtf } from './btf-split.js';
/** Bundle container constants. */
export {
  BlobMode,
  BTF_COLUMNS,
  BtfColumn,
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  ORDER_COLUMN,
  STORED_COLUMNS,
} from './constants.js';
/** CRC-32 of the sealed container. */
export { crc32 } from './crc32.js';
/** Varint byte reader. */
export { ByteReader } from './reader.js';
/** A blob's records in schema order: the Order column and the permutation it codes. */
export { encodeOrder, recordStarts, toSchemaOrder } from './record-order.js';
/** Varint byte writer and the zigzag coding of signed deltas. */
export { ByteWriter, zigzag } from './writer.js';
