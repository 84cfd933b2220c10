/**
 * Low-level pieces of the bundle format shared with the encoder in `@btf-bundle/core`
 * (exported as `@btf-bundle/runtime/format`; not part of the app-facing API).
 */

export { ELF_MAGIC, isElf } from '../elf.js';
export { compareKernelKeys } from '../kernel/order.js';
export {
  buildBtf,
  columnOf,
  INFO_RESERVED,
  recordHeaderValue,
  recordWords,
  type StoredOrder,
} from './btf-columns.js';
export * from './btf-layout.js';
export { type SplitBtf, splitBtf } from './btf-split.js';
export { readColumnValues } from './column-values.js';
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
export { crc32 } from './crc32.js';
export { ByteReader } from './reader.js';
export { decodeOrder, encodeOrder, recordStarts, storedOrder, toSchemaOrder } from './record-order.js';
export { ByteWriter, zigzag } from './writer.js';
