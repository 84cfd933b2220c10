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

/** Longest `detail` an error keeps: longer ones (a huge access string, a line of a hostile file) are cut. */
export const MAX_ERROR_DETAIL = 2000;

/**
 * `text` cut to at most about `max` characters: the start and the end are kept around an ellipsis that says how
 * much was left out.
 */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.floor(max / 4);
  const head = max - tail;
  return `${text.slice(0, head)}…[${text.length - head - tail} characters cut]…${text.slice(-tail)}`;
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

/** Options of a {@link BtfBundleError}. */
export interface BtfBundleErrorOptions {
  /** The error this one wraps. */
  cause?: unknown;
  /** Overrides the class's default {@link BtfBundleError.code}. */
  code?: string;
}

/**
 * Base class of every error any btf-bundle package raises on purpose (core, runtime, plugin). `code` is stable and
 * machine-readable, `place` says where, `detail` says what; `message` is the place then the detail.
 */
export class BtfBundleError extends Error {
  override name = 'BtfBundleError';
  /** Stable machine-readable error code (each subclass has its own default). */
  readonly code: string;
  /** Where the problem is. */
  readonly place: ErrorPlace;
  /** The problem without the place prefix (bounded to {@link MAX_ERROR_DETAIL} characters, control characters escaped). */
  readonly detail: string;

  constructor(detail: string, place: ErrorPlace = {}, options: BtfBundleErrorOptions = {}) {
    const bounded = escapeControls(boundText(detail, MAX_ERROR_DETAIL));
    super(placedMessage(bounded, place), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'BTF_BUNDLE';
    this.place = place;
    this.detail = bounded;
  }

  /** A copy of this error (same class, code and fields) with more place information (fields already set win). */
  withPlace(extra: ErrorPlace): this {
    // Descriptors, not values: the stack is copied without being formatted.
    const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this)) as this;
    const place = { ...extra, ...this.place };
    Object.defineProperty(copy, 'place', { value: place, enumerable: true });
    copy.message = placedMessage(this.detail, place);
    return copy;
  }
}

/**
 * `detail` after where it happened (`file (section, offset …): detail`), as a {@link BtfBundleError}'s message: one
 * line, its control characters escaped (a file name or a hostile input can hold any).
 */
export function placedMessage(detail: string, place: ErrorPlace): string {
  const where = describePlace(place);
  return escapeControls(where ? `${where}: ${detail}` : detail);
}

/**
 * `text` with its control characters (newlines, escapes, NUL, ...) shown as `\n`, `\x1b`, ...: one safe line on a
 * terminal, whatever a file name or a hostile input put in it.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
