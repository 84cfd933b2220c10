import { DECODER_WASM } from './decoder-wasm.js';

/** The part of the WebAssembly JavaScript API used here (TypeScript's ES2022 library does not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** The exports of wasm/decode.c. */
interface DecoderExports {
  memory: { buffer: ArrayBuffer };
  prepare(length: number, blobs: number): number;
  scan(at: number, length: number, blobs: number): number;
  blob(i: number, size: number): number;
}

let decoderModule: object | null | undefined;

/** The compiled decoder, made on first use; null where WebAssembly is unavailable (e.g. `node --jitless`). */
function compiledDecoder(): object | null {
  if (decoderModule === undefined) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    decoderModule = api ? new api.Module(DECODER_WASM) : null;
  }
  return decoderModule;
}

/**
 * A data section (docs/bundle-format.md, "Data") in the memory of its own instance of the WebAssembly decoder
 * (wasm/decode.c), which rebuilds blobs without interpreting a JavaScript loop per value: what a fresh process
 * spends most of its first lookup on otherwise. It accepts exactly what the JavaScript decoder
 * (`DataSection`'s scan and `rebuildBtf`) accepts and gives the same bytes, but only says whether the input is
 * valid: on a refusal the caller runs the JavaScript decoder for the typed error.
 */
export class NativeDataSection {
  private readonly decoder: DecoderExports;
  private readonly sizes: readonly number[];

  private constructor(decoder: DecoderExports, sizes: readonly number[]) {
    this.decoder = decoder;
    this.sizes = sizes;
  }

  /**
   * The section `bytes` (its blobs' rebuilt sizes `sizes`) copied into a new decoder instance and scanned; undefined
   * when WebAssembly is unavailable, its memory cannot hold the section, or the section is malformed.
   */
  static open(bytes: Uint8Array, sizes: readonly number[]): NativeDataSection | undefined {
    const module = compiledDecoder();
    if (!module) return undefined;
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!;
    const decoder = new api.Instance(module, {}).exports as DecoderExports;
    const at = decoder.prepare(bytes.length, sizes.length);
    if (at === 0) return undefined;
    const memory = decoder.memory.buffer;
    new Uint8Array(memory, at, bytes.length).set(bytes);
    // The sizes follow the section, 8-aligned.
    new Uint32Array(memory, (at + bytes.length + 7) & ~7, sizes.length).set(sizes);
    if (decoder.scan(at, bytes.length, sizes.length) !== 1) return undefined;
    return new NativeDataSection(decoder, sizes);
  }

  /** A copy of blob `i` (range-checked by the caller), or undefined when its columns are not valid. */
  get(i: number): Uint8Array | undefined {
    const size = this.sizes[i]!;
    const at = this.decoder.blob(i, size);
    return at === 0 ? undefined : new Uint8Array(this.decoder.memory.buffer, at, size).slice();
  }
}
