import { readFileSync } from 'node:fs';

// The revisions every remembered result is keyed on. They live here, apart from the code they version, so that
// the cache and the build's fingerprint depend on two constants and not on the minimizer.

/** Version of @btf-bundle/core (part of every cache key: a new version never reuses old results). */
export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Revision of the minimizer's output (minimize/): bumped whenever the bytes or relocation counts it produces for
 * the same inputs change, so that caches keyed on it never serve an older algorithm's result within one tool
 * version.
 */
export const MINIMIZER_REVISION = 3;
