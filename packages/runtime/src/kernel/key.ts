import { describeValue, InvalidKernelKeyError } from '../errors.js';

/** Identity of a kernel, as in BTFHub paths `<distro>/<version>/<arch>/<release>.btf`. */
export interface KernelKey {
  /** os-release `ID`, e.g. `debian`, `ubuntu`, `rhel`, `amzn`. */
  distro: string;
  /** os-release `VERSION_ID`, e.g. `12`, `20.04`, `8`. */
  version: string;
  /** Normalised architecture: `x86_64`, `arm64`, `s390x`, ... */
  arch: string;
  /** `uname -r`, e.g. `6.1.0-47-amd64`. */
  release: string;
}

/**
 * The characters a key component may hold, `[A-Za-z0-9._+~-]`: the one definition of the grammar, read by
 * {@link isSafePart}'s table and by the index's pattern for a whole group of names ({@link KEY_PART_CLASS}).
 */
const KEY_PART_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+~-';

/** The longest key component, in characters. */
export const MAX_KEY_PART = 128;

/** {@link KEY_PART_CHARS} as the body of a regular-expression character class (`-` escaped). */
export const KEY_PART_CLASS = KEY_PART_CHARS.replace('-', '\\-');

/** 1 for each character code a key component may hold ({@link KEY_PART_CHARS}). */
const SAFE_CHAR = new Uint8Array(128);
for (const c of KEY_PART_CHARS) SAFE_CHAR[c.charCodeAt(0)] = 1;

/**
 * Whether `s.slice(from, to)` is a safe key component: 1 to {@link MAX_KEY_PART} characters of
 * {@link KEY_PART_CHARS}, not `.` or `..`. A loop rather than a regular expression: a process's first regular
 * expression costs more to set up than this takes, and a kernel lookup in a fresh process runs this once.
 */
function isSafePart(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (
    n < 1 ||
    n > MAX_KEY_PART ||
    (s.charCodeAt(from) === 0x2e && (n === 1 || (n === 2 && s.charCodeAt(from + 1) === 0x2e)))
  )
    return false;
  for (let i = from; i < to; i++) if (SAFE_CHAR[s.charCodeAt(i)] !== 1) return false;
  return true;
}

/** Whether `id` is `distro/version/arch/release` with four safe key components (see {@link isSafePart}). */
function isSafeId(id: string): boolean {
  let parts = 0;
  for (let from = 0, i = 0; i <= id.length; i++) {
    if (i < id.length && id.charCodeAt(i) !== 0x2f) continue;
    if (++parts > 4 || !isSafePart(id, from, i)) return false;
    from = i + 1;
  }
  return parts === 4;
}

/** Throws {@link InvalidKernelKeyError} unless `part` is a string and a safe path component (no `/`, NUL, `.` or `..`). */
export function checkKeyPart(name: string, part: string): void {
  if (typeof part !== 'string')
    throw new InvalidKernelKeyError(`kernel ${name} is ${describeValue(part)}, not a string`);
  if (!isSafePart(part, 0, part.length))
    throw new InvalidKernelKeyError(`invalid kernel ${name} ${JSON.stringify(part)}`);
}

/** What a key is, for errors. */
const KEY_OBJECT = 'a key object {distro, version, arch, release}';

/**
 * Validates `key` (named `what` in errors): an object whose four parts are strings and safe path components (see
 * {@link checkKeyPart}); returns a copy of the parts checked, each read once (a getter cannot change one later).
 */
export function checkKernelKey(key: KernelKey, what = 'kernel key'): KernelKey {
  const { distro, version, arch, release } = keyObject(key, what, KEY_OBJECT);
  checkKeyPart('distro', distro);
  checkKeyPart('version', version);
  checkKeyPart('arch', arch);
  checkKeyPart('release', release);
  return { distro, version, arch, release };
}

/** The string id `distro/version/arch/release` of a key; throws {@link InvalidKernelKeyError} for an invalid key. */
export function kernelId(key: KernelKey): string {
  const { distro, version, arch, release } = checkKernelKey(key, 'kernelId: key');
  return `${distro}/${version}/${arch}/${release}`;
}

/**
 * The id of `key` when every part is a safe key component, else undefined: a kernel no bundle can hold (for
 * looking up a detected kernel, whose parts come from the host).
 */
export function kernelIdIfValid(key: KernelKey): string | undefined {
  const id = `${key.distro}/${key.version}/${key.arch}/${key.release}`;
  return isSafeId(id) ? id : undefined;
}

/** The key of `id` when it is a `distro/version/arch/release` id with safe parts, else undefined. */
export function parseKernelIdIfValid(id: string): KernelKey | undefined {
  if (!isSafeId(id)) return undefined;
  const parts = id.split('/');
  return { distro: parts[0]!, version: parts[1]!, arch: parts[2]!, release: parts[3]! };
}

/** Parses a `distro/version/arch/release` id; throws {@link InvalidKernelKeyError} on anything else. */
export function parseKernelId(id: string): KernelKey {
  const key = typeof id === 'string' ? parseKernelIdIfValid(id) : undefined;
  if (key) return key;
  if (typeof id !== 'string')
    throw new InvalidKernelKeyError(`parseKernelId: id is ${describeValue(id)}, not a string`);
  const parts = id.split('/');
  if (parts.length !== 4)
    throw new InvalidKernelKeyError(`kernel id ${JSON.stringify(id)} is not distro/version/arch/release`);
  const [distro, version, arch, release] = parts as [string, string, string, string];
  return checkKernelKey({ distro, version, arch, release });
}

/**
 * A kernel to look up as a key: a `distro/version/arch/release` id is parsed, an object must have the four parts as
 * strings (their values are not checked: a lookup of a kernel no bundle can hold finds nothing). Anything else is an
 * {@link InvalidKernelKeyError}, never a crash inside the lookup.
 */
export function lookupKey<K extends KernelKey>(kernel: K | string): K | KernelKey {
  if (typeof kernel === 'string') return parseKernelId(kernel);
  return keyObject(kernel, 'kernel to look up', 'an id string or a key object');
}

/**
 * `key` when it is an object with the four parts as strings; else throws {@link InvalidKernelKeyError} saying that
 * `what` is not `expected` (when not an object) or which part is not a string.
 */
function keyObject<K extends KernelKey>(key: K, what: string, expected: string): K {
  if (
    typeof key === 'object' &&
    key !== null &&
    typeof key.distro === 'string' &&
    typeof key.version === 'string' &&
    typeof key.arch === 'string' &&
    typeof key.release === 'string'
  )
    return key;
  if (typeof key !== 'object' || key === null)
    throw new InvalidKernelKeyError(`${what} is ${describeValue(key)}, not ${expected}`);
  const parts = key as Record<string, unknown>;
  const part = (['distro', 'version', 'arch', 'release'] as const).find((p) => typeof parts[p] !== 'string');
  throw new InvalidKernelKeyError(`${what}: ${part} is ${describeValue(parts[part!])}, not a string`);
}
