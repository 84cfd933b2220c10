import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { XzSource } from './xz-source.js';

/** The xz file at `path` decompressed in this thread by the WebAssembly decoder (xz-decompress). */
export async function wasmXzSource(path: string): Promise<XzSource> {
  // Loaded on first use: raw and ELF inputs, and the native decoder, never pay for the WASM module.
  const { default: xz } = await import('xz-decompress');
  const compressed = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  const reader = new xz.XzReadableStream(compressed).getReader();
  return {
    async next() {
      const { done, value } = await reader.read();
      return done ? undefined : value;
    },
    async stop() {
      await reader.cancel().catch(() => undefined);
    },
  };
}
