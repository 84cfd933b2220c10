// The runtime's error module alone: its main entry would also load the bundle decoder (and node:zlib) into every
// command, whether it reads a bundle or not.
import type { Stats } from 'node:fs';
import { basename } from 'node:path';
import {
  BtfBundleError,
  type ErrorPlace,
  placedMessage,
  systemErrorDetail,
} from '@btf-bundle/runtime/internal/errors';
import { errorMessage } from './util/error-message.js';
import { describeFileKind } from './util/regular-file.js';
import { describeNonUtf8Path, NON_UTF8_NAME } from './util/utf8-names.js';

/** The one error base of every package, its place, its one-line printer and its text bound (from the runtime). */
export {
  BtfBundleError,
  boundText,
  type ErrorPlace,
  escapeControls,
  formatError,
} from '@btf-bundle/runtime/internal/errors';

/** Malformed or unsupported input bytes (ELF, BTF, .BTF.ext, archives, bundles). */
export class FormatError extends BtfBundleError {
  override name = 'FormatError';
  override readonly code: string = 'FORMAT';
}

/**
 * The error of an input that must be a regular file and is not (`stats`: what `util/regular-file.ts` found there,
 * a FIFO, device, socket or directory): it is not read.
 */
export function notRegularFileError(file: string, stats: Stats): FormatError {
  return new FormatError(`not a regular file (${describeFileKind(stats)}): not read`, { file });
}

/** errno-style reason libbpf gives when it rejects a relocation. */
export type CoreErrorCode = 'EINVAL' | 'E2BIG' | 'EOPNOTSUPP' | 'ERANGE';

/** libbpf would reject this CO-RE relocation (ambiguity, unsatisfiable bitfield, bad spec, ...). */
export class CoreRelocationError extends BtfBundleError {
  override name = 'CoreRelocationError';
  /** libbpf's errno for this failure. */
  declare readonly code: CoreErrorCode;

  constructor(detail: string, place: ErrorPlace = {}, options?: { cause?: unknown; code?: CoreErrorCode }) {
    super(detail, place, { cause: options?.cause, code: options?.code ?? 'EINVAL' });
  }
}

/** The minimizer cannot produce an output (bpftool-mode unsupported kind, invalid member, ...). */
export class MinimizeError extends BtfBundleError {
  override name = 'MinimizeError';
  override readonly code: string = 'MINIMIZE';
}

/** Invalid options or command-line usage. */
export class UsageError extends BtfBundleError {
  override name = 'UsageError';
  override readonly code: string = 'USAGE';
}

/**
 * Add `place` to a thrown value, wrapping other errors so the file name is never lost: a file-system error keeps its
 * errno as code, anything else becomes a {@link FormatError}.
 */
export function annotateError(err: unknown, place: ErrorPlace): BtfBundleError {
  if (err instanceof BtfBundleError) return err.withPlace(place);
  const system = systemErrorDetail(err);
  // A missing file that is Node's name for one whose name is not UTF-8: said so, named by its bytes.
  const nonUtf8 =
    system?.code === 'ENOENT' ? describeNonUtf8Path(place.file ?? system.path ?? '') : undefined;
  if (nonUtf8 !== undefined)
    return new BtfBundleError(
      NON_UTF8_NAME,
      { ...place, file: nonUtf8 },
      { cause: err, code: 'NAME_NOT_UTF8' },
    );
  if (system)
    return new BtfBundleError(
      system.detail,
      { file: system.path, ...place },
      { cause: err, code: system.code },
    );
  return new FormatError(errorMessage(err), place, { cause: err });
}

/**
 * The message of a thrown value with the file it names reduced to its base name: what a failed kernel's reason
 * says in a bundle, a report and the build cache, so that none of them holds a path of the machine that built it
 * (and the same inputs give the same bytes wherever they lie). The kernel is named by its id beside the reason, an
 * object by its file name, as the bundle lists the objects.
 */
export function portableMessage(err: unknown): string {
  // A file-system error becomes a BtfBundleError placed at its path, as everywhere else.
  const { detail, place } = annotateError(err, {});
  return placedMessage(detail, place.file === undefined ? place : { ...place, file: basename(place.file) });
}
