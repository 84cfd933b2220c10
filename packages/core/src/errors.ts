/** Where in an input a problem was found. Every field is optional; the more are known, the better the message. */
export interface ErrorPlace {
  /** Path or display name of the input file. */
  file?: string;
  /** ELF section or logical part of the input (".BTF", ".BTF.ext", "BTF header", "string section", ...). */
  section?: string;
  /** Byte offset inside `section` (or inside the file when no section is named). */
  offset?: number;
  /** BTF type id involved. */
  typeId?: number;
  /** Index of the CO-RE relocation (in file order over all groups of the object). */
  relocation?: number;
}

function describePlace(place: ErrorPlace): string {
  const parts: string[] = [];
  if (place.section !== undefined) parts.push(place.section);
  if (place.offset !== undefined) parts.push(`offset ${place.offset}`);
  if (place.typeId !== undefined) parts.push(`type id ${place.typeId}`);
  if (place.relocation !== undefined) parts.push(`relocation #${place.relocation}`);
  const where = parts.join(', ');
  if (place.file !== undefined) return where ? `${place.file} (${where})` : place.file;
  return where;
}

/** Base class of every error btf-bundle raises on purpose. `place` says where, `detail` says what. */
export class BtfBundleError extends Error {
  override name = 'BtfBundleError';
  /** Where the problem is. */
  readonly place: ErrorPlace;
  /** The problem without the place prefix. */
  readonly detail: string;

  constructor(detail: string, place: ErrorPlace = {}, options?: { cause?: unknown }) {
    const where = describePlace(place);
    super(where ? `${where}: ${detail}` : detail, options);
    this.place = place;
    this.detail = detail;
  }

  /** A copy of this error with more place information (fields already set win). */
  withPlace(extra: ErrorPlace): BtfBundleError {
    const Ctor = this.constructor as new (
      d: string,
      p: ErrorPlace,
      o?: { cause?: unknown },
    ) => BtfBundleError;
    return new Ctor(this.detail, { ...extra, ...this.place }, { cause: this.cause });
  }
}

/** Malformed or unsupported input bytes (ELF, BTF, .BTF.ext, archives, bundles). */
export class FormatError extends BtfBundleError {
  override name = 'FormatError';
}

/** errno-style reason libbpf gives when it rejects a relocation. */
export type CoreErrorCode = 'EINVAL' | 'E2BIG' | 'EOPNOTSUPP';

/** libbpf would reject this CO-RE relocation (ambiguity, unsatisfiable bitfield, bad spec, ...). */
export class CoreRelocationError extends BtfBundleError {
  override name = 'CoreRelocationError';
  /** libbpf's errno for this failure. */
  readonly code: CoreErrorCode;

  constructor(detail: string, place: ErrorPlace = {}, options?: { cause?: unknown; code?: CoreErrorCode }) {
    super(detail, place, options);
    this.code = options?.code ?? 'EINVAL';
  }

  override withPlace(extra: ErrorPlace): CoreRelocationError {
    return new CoreRelocationError(
      this.detail,
      { ...extra, ...this.place },
      { cause: this.cause, code: this.code },
    );
  }
}

/** The minimizer cannot produce an output (bpftool-mode unsupported kind, invalid member, ...). */
export class MinimizeError extends BtfBundleError {
  override name = 'MinimizeError';
}

/** Invalid options or command-line usage. */
export class UsageError extends BtfBundleError {
  override name = 'UsageError';
}

/** Add `place` to a thrown value, wrapping non-btf-bundle errors so the file name is never lost. */
export function annotateError(err: unknown, place: ErrorPlace): BtfBundleError {
  if (err instanceof BtfBundleError) return err.withPlace(place);
  const message = err instanceof Error ? err.message : String(err);
  return new FormatError(message, place, { cause: err });
}
