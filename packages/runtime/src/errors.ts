import { BtfBundleError } from './error-base.js';

/** The error base, re-exported with every runtime error. */
export {
  BtfBundleError,
  type BtfBundleErrorOptions,
  boundText,
  type ErrorPlace,
  escapeControls,
  MAX_ERROR_DETAIL,
  placedMessage,
} from './error-base.js';
/** One-line error printing and its bound. */
export { formatError, MAX_ERROR_LINE, systemErrorDetail } from './error-format.js';

/** Base class of every error the runtime throws on bad input: a {@link BtfBundleError} with its own code. */
export class BtfRuntimeError extends BtfBundleError {
  constructor(code: string, message: string) {
    super(message, {}, { code });
    this.name = new.target.name;
  }
}

/** The bytes are not a btf-bundle at all (wrong magic). */
export class BundleForeignError extends BtfRuntimeError {
  constructor(message: string) {
    super('BUNDLE_FOREIGN', message);
  }
}

/** The bundle was written by a newer (or unknown) format version. */
export class BundleVersionError extends BtfRuntimeError {
  /** The format version found in the header. */
  readonly version: number;
  constructor(version: number, supported: number) {
    super('BUNDLE_VERSION', `unsupported bundle format version ${version} (this runtime reads ${supported})`);
    this.version = version;
  }
}

/** The bundle ends before a length it declares. */
export class BundleTruncatedError extends BtfRuntimeError {
  constructor(message: string) {
    super('BUNDLE_TRUNCATED', message);
  }
}

/** The bundle is structurally invalid (bad checksum, bad stream, out-of-range value). */
export class BundleCorruptError extends BtfRuntimeError {
  constructor(message: string) {
    super('BUNDLE_CORRUPT', message);
  }
}

/** A kernel identity (distro, version, arch, release) is unusable, e.g. contains `/`, `..` or NUL. */
export class InvalidKernelKeyError extends BtfRuntimeError {
  constructor(message: string) {
    super('INVALID_KERNEL_KEY', message);
  }
}

/** The running kernel could not be identified (no os-release file, no ID). */
export class KernelDetectError extends BtfRuntimeError {
  constructor(message: string) {
    super('KERNEL_DETECT', message);
  }
}

/** An explicit BTF override path was given but cannot be read, is not a regular file, is too large or is not BTF. */
export class BtfOverrideError extends BtfRuntimeError {
  constructor(message: string) {
    super('BTF_OVERRIDE', message);
  }
}

/**
 * The runtime's API was called with an argument that cannot work (e.g. an async loader without a manifest, a loader
 * returning no bytes, an option out of its range); the message names the argument.
 */
export class BundleUsageError extends BtfRuntimeError {
  constructor(message: string) {
    super('BUNDLE_USAGE', message);
  }
}

/** What `value` is, for an error about an argument of the wrong type: `null`, `a string`, `an ArrayBuffer`, .... */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const type = typeof value;
  const name = type === 'object' ? ((value as object).constructor?.name ?? 'object') : type;
  return `${'aeioAEIO'.includes(name[0]!) ? 'an' : 'a'} ${name}`;
}

/** No BTF could be found for the kernel; `reason` says why (e.g. the build recorded it as failed). */
export class BtfNotFoundError extends BtfRuntimeError {
  /** The kernel id that was looked up. */
  readonly kernel: string;
  constructor(kernel: string, reason: string) {
    super('BTF_NOT_FOUND', `no BTF for kernel ${kernel}: ${reason}`);
    this.kernel = kernel;
  }
}
