import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import { nativeXzSource } from './xz-native.js';
import { wasmXzSource } from './xz-wasm.js';

/**
 * The decompressed bytes of an xz file, pulled chunk by chunk. `stop` ends the decoding (nothing more is read or
 * decompressed) and releases what it holds; it is safe to call at any time and more than once.
 */
export interface XzSource {
  /** The next chunk of decompressed bytes, or undefined at the end of the data. Throws for corrupt input. */
  next(): Promise<Uint8Array | undefined>;
  /** Stop decoding and release the decoder (a child process is killed and waited for). */
  stop(): Promise<void>;
}

/**
 * Which xz decoder reads `.btf.tar.xz` files: `native` is the system `xz` tool (XZ Utils), run as a child process
 * that decodes while the reading thread copies; `wasm` is the xz-embedded decoder compiled to WebAssembly (package
 * xz-decompress), slower (~0.13 s of CPU per real kernel archive against ~0.08 s, all of it on the reading thread),
 * used when there is no `xz` on `PATH`.
 */
export type XzDecoder = 'native' | 'wasm';

/** Environment variable forcing a decoder (`native` or `wasm`), for tests and comparisons. */
export const XZ_DECODER_ENV = 'BTF_BUNDLE_XZ_DECODER';

let systemXz: string | null | undefined;

/** The absolute path of the `xz` executable on `PATH`, or undefined; looked up once per thread. */
export function findSystemXz(): string | undefined {
  if (systemXz === undefined) systemXz = findExecutable('xz', process.env.PATH ?? '') ?? null;
  return systemXz ?? undefined;
}

/** The first executable regular file `name` in the absolute directories of `searchPath` (a `PATH` value). */
export function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    if (!isAbsolute(dir)) continue; // a relative PATH entry would depend on the working directory
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not there: next directory
    }
  }
  return undefined;
}

/**
 * The decoder used for `.btf.tar.xz` files: the one {@link XZ_DECODER_ENV} names, else `native` when `xz` is on
 * `PATH`, else `wasm`. Throws when `native` is forced and there is no `xz`.
 */
export function chosenXzDecoder(): XzDecoder {
  const forced = process.env[XZ_DECODER_ENV];
  if (forced === 'wasm') return 'wasm';
  if (forced === 'native') {
    if (!findSystemXz()) throw new UsageError(`${XZ_DECODER_ENV}=native but there is no xz on PATH`);
    return 'native';
  }
  if (forced) throw new UsageError(`${XZ_DECODER_ENV} must be 'native' or 'wasm', not '${forced}'`);
  return findSystemXz() ? 'native' : 'wasm';
}

/**
 * What to tell the user when `.btf.tar.xz` files are decoded by the slower WASM decoder because there is no `xz` on
 * `PATH`; undefined when the system xz is used or a decoder is forced by {@link XZ_DECODER_ENV}.
 */
export function xzFallbackNote(): string | undefined {
  if (process.env[XZ_DECODER_ENV] || findSystemXz()) return undefined;
  return 'no xz on PATH: .btf.tar.xz kernels are decoded by the built-in WebAssembly decoder, which is slower (install xz, e.g. the xz-utils package)';
}

/** The decompressed bytes of the xz file at `path`, from `decoder` (default: {@link chosenXzDecoder}). */
export async function openXzSource(path: string, decoder = chosenXzDecoder()): Promise<XzSource> {
  return decoder === 'native' ? nativeXzSource(findSystemXz() as string, path) : wasmXzSource(path);
}
