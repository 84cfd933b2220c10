import { DECODER_WASM } from './decoder-wasm.js';

/** The part of the WebAssembly JavaScript API used here (TypeScript's ES2022 library does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** The exports of packages/runtime/wasm. */
interface DecoderExports {
  memory: { buffer: ArrayBuffer };
  reserve(length: number): number;
  open_index(at: number, length: number): number;
  index_blob_count(): number;
  index_blob_sizes(): number;
  id_buffer(): number;
  find(length: number): number;
  scan(at: number, length: number, blobs: number, sizes: number): number;
  blob(i: number, size: number): number;
}

/** Longest id {@link NativeDecoder.find} takes (the module's id buffer). */
const MAX_ID = 1024;

/**
 * Largest section copied into the decoder's memory. A copy needs the section's size twice for a moment (the
 * inflated buffer and the copy): above this, the JavaScript decoder reads the section in place, so that a bundle
 * declaring the format's 1 GiB never needs more than that once. Real bundles' sections are kilobytes to megabytes.
 */
export const MAX_NATIVE_SECTION = 64 << 20;

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let decoderModule: object | null | undefined;

/**
 * The compiled decoder, made on first use; null where WebAssembly is unavailable (`node --jitless`) or the
 * embedder refuses to compile it.
 */
function compiledDecoder(): object | null {
  if (decoderModule === undefined) {
    try {
      decoderModule = wasmApi ? new wasmApi.Module(DECODER_WASM) : null;
    } catch {
      decoderModule = null;
    }
  }
  return decoderModule;
}

/**
 * One bundle's index and data section in the memory of their own instance of the WebAssembly decoder
 * (packages/runtime/wasm), which finds a kernel and rebuilds its BTF without compiling and interpreting the
 * JavaScript decoder (`BundleIndex`, `DataSection`, `rebuildBtf`): what a fresh process spends most of its first
 * lookup on otherwise. It accepts exactly what the JavaScript decoder accepts and gives the same answers, but only
 * says whether the input is valid: on a refusal the caller runs the JavaScript decoder, which throws the typed
 * error (docs/bundle-format.md, "What is decoded when"). A trap of the module (an access outside its memory, or V8
 * unable to compile one of its functions on first use) counts as a refusal.
 */
export class NativeDecoder {
  private readonly decoder: DecoderExports;
  private sizes: Uint32Array | undefined;
  private indexBlobs = 0;

  private constructor(decoder: DecoderExports) {
    this.decoder = decoder;
  }

  /**
   * A new decoder instance, or undefined where WebAssembly is unavailable or its memory cannot be had (a process
   * whose address space is limited, e.g. by `ulimit -v`, cannot reserve what V8 reserves for each instance).
   */
  static create(): NativeDecoder | undefined {
    const module = compiledDecoder();
    if (!module) return undefined;
    try {
      return new NativeDecoder(new wasmApi!.Instance(module, {}).exports as DecoderExports);
    } catch {
      return undefined;
    }
  }

  /** Copies `bytes` into the decoder's memory; where, or 0 when they are too large or it cannot grow that far. */
  private copyIn(bytes: Uint8Array): number {
    if (bytes.length > MAX_NATIVE_SECTION) return 0;
    const at = this.decoder.reserve(bytes.length);
    if (at !== 0) new Uint8Array(this.decoder.memory.buffer, at, bytes.length).set(bytes);
    return at;
  }

  /** Reads the inflated index section's header; false when the JavaScript index would refuse it. */
  openIndex(index: Uint8Array): boolean {
    try {
      const at = this.copyIn(index);
      if (at === 0 || this.decoder.open_index(at, index.length) !== 1) return false;
      this.indexBlobs = this.decoder.index_blob_count();
      return true;
    } catch {
      return false; // a trap: a refusal
    }
  }

  /**
   * The blob number of kernel `id` (after {@link openIndex}), -1 when the bundle has no such kernel, undefined
   * when the JavaScript index must answer (an id that is not ASCII, or a part of the index it would refuse).
   */
  find(id: string): number | undefined {
    if (id.length > MAX_ID) return undefined;
    const decoder = this.decoder;
    const out = new Uint8Array(decoder.memory.buffer, decoder.id_buffer(), id.length);
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      if (c > 0x7f) return undefined;
      out[i] = c;
    }
    try {
      const blob = decoder.find(id.length);
      return blob >= -1 ? blob : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Copies the inflated data section in and finds its strings, heads and columns, the blobs' rebuilt sizes being
   * `sizes` (default: the index's); false when the JavaScript decoder would refuse it or memory cannot hold it.
   */
  openData(section: Uint8Array, sizes?: readonly number[]): boolean {
    try {
      const at = this.copyIn(section);
      if (at === 0) return false;
      let sizesAt = this.decoder.index_blob_sizes();
      let count = this.indexBlobs;
      if (sizes) {
        sizesAt = this.decoder.reserve(4 * sizes.length);
        if (sizesAt === 0) return false;
        new Uint32Array(this.decoder.memory.buffer, sizesAt, sizes.length).set(sizes);
        count = sizes.length;
      }
      if (this.decoder.scan(at, section.length, count, sizesAt) !== 1) return false;
      this.sizes = new Uint32Array(new Uint32Array(this.decoder.memory.buffer, sizesAt, count));
      return true;
    } catch {
      return false;
    }
  }

  /** A copy of blob `i` (range-checked by the caller), or undefined when its columns are not valid. */
  blob(i: number): Uint8Array | undefined {
    const size = this.sizes![i]!;
    let at = 0;
    try {
      at = this.decoder.blob(i, size);
    } catch {
      // a trap: refused
    }
    return at === 0 ? undefined : new Uint8Array(this.decoder.memory.buffer, at, size).slice();
  }
}
