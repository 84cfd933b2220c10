import { readFileSync } from 'node:fs';

/** Version of @btf-bundle/core (part of every cache key: a new version never reuses old results). */
export const TOOL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
