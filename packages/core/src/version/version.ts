import { readFileSync } from 'node:fs';

// The revisions remembered results are keyed on. They live here, apart from the code they version, so that the
// cache and the build's fingerprint depend on constants and not on the minimizer or the encoder.

/** Version of @btf-bundle/core (part of every cache key: a new version never reuses old results). */
export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Revision of the minimizer's output (minimize/): bumped whenever the bytes, relocation counts or failure reasons
 * it produces for the same inputs change, so that caches keyed on it never serve an older algorithm's result
 * within one tool version. (4: a failure's reason names files by their base name; 5: the records libbpf skips are
 * counted apart and keep no type in robust mode; 6: libbpf's load/store checks: a load or store poisoned for a width
 * it cannot adjust counts as poisoned, an offset past 32,767 or a width it cannot change fails the kernel.)
 */
export const MINIMIZER_REVISION = 6;

/**
 * Revision of the bundle encoder's output (bundle/): bumped whenever `encodeBundle` writes other bytes for the
 * same inputs within one bundle format version, so that a remembered build never replays an older encoding.
 */
export const ENCODER_REVISION = 3;
