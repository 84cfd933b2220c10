import type FastGlob from 'fast-glob';

/**
 * fast-glob, loaded on first use: a build whose objects are plain paths and whose snapshot has no include or
 * exclude glob never loads its thirty-odd modules.
 */
export async function fastGlob(): Promise<typeof FastGlob> {
  return (await import('fast-glob')).default;
}

/** The characters fast-glob needs in a pattern to see glob syntax in it (`\`, `*`, `?`, `!`, classes, groups, braces). */
const GLOB_SYNTAX = /[\\*?!+@[\]{}()]/;

/** Whether `pattern` is a glob by fast-glob's rules (`isDynamicPattern`), loading it only when it may be one. */
export async function isGlobPattern(pattern: string): Promise<boolean> {
  return GLOB_SYNTAX.test(pattern) && (await fastGlob()).isDynamicPattern(pattern);
}
