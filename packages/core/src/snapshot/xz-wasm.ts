import { close as closeCallback, read as readCallback } from 'node:fs';
import { promisify } from 'node:util';
import { notRegularFileError } from '../errors.js';
import { isOpened, openRegularFile } from '../util/regular-file.js';
import type { XzSource } from './xz-source.js';

const readFd = promisify(readCallback);
const closeFd = promisify(closeCallback);

/** Compressed bytes read from the file per pull of the decoder. */
const READ_CHUNK = 64 * 1024;

/**
 * The file at `path` as a web stream that reads only when its consumer pulls, and never after it is cancelled.
 * Not `Readable.toWeb` of a file stream: Node 20's adapter enqueues a chunk its file stream emits after the web
 * stream was cancelled, which throws an uncaught ERR_INVALID_STATE ("Controller is already closed") once a reader
 * stops early (an archive refused from its first header). A regular file only (`openRegularFile`): the path was
 * checked by the kernel reader, but what it names may have changed since (a FIFO must not block a pool thread).
 */
async function pulledFile(path: string): Promise<ReadableStream<Uint8Array>> {
  const opened = await openRegularFile(path);
  if (!isOpened(opened)) throw notRegularFileError(path, opened);
  const { fd } = opened;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await closeFd(fd);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = new Uint8Array(READ_CHUNK);
        let bytesRead: number;
        try {
          ({ bytesRead } = await readFd(fd, chunk, 0, READ_CHUNK, null));
        } catch (err) {
          await close();
          throw err;
        }
        if (closed) return; // cancelled while reading
        if (bytesRead > 0) controller.enqueue(chunk.subarray(0, bytesRead));
        else {
          await close();
          controller.close();
        }
      },
      cancel: close,
    },
    { highWaterMark: 0 },
  );
}

/** The xz file at `path` decompressed in this thread by the WebAssembly decoder (xz-decompress). */
export async function wasmXzSource(path: string): Promise<XzSource> {
  // Loaded on first use: raw and ELF inputs, and the native decoder, never pay for the WASM module.
  const { default: xz } = await import('xz-decompress');
  const reader = new xz.XzReadableStream(await pulledFile(path)).getReader();
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
