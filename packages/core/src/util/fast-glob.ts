import type FastGlob from 'fast-glob';
import { UsageError } from '../errors.js';

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

/**
 * The most patterns the braces of one glob may expand to (`{a,b}{c,d}` expands to 4, `{1..9}` to 9); the range
 * limit of micromatch's `braces` too, which throws a RangeError for a longer range.
 */
export const MAX_GLOB_EXPANSION = 1000;

/** The longest glob accepted: Linux's PATH_MAX (no path is longer). */
export const MAX_GLOB_LENGTH = 4096;

/** A brace range's body: `1..9`, `a..e`, with an optional step (`1..9..2`). */
const RANGE = /^([+-]?\d+|[^\d\s,{}\\.])\.\.([+-]?\d+|[^\d\s,{}\\.])(?:\.\.([+-]?\d*))?$/;

/**
 * How many patterns the braces of `pattern` expand to, as fast-glob (micromatch's `braces`) expands them before
 * it matches: groups multiply, a group's comma-separated alternatives add up, a range counts its members (a range
 * of a form not read here counts as the longest `braces` expands), and a group without a comma or range is text.
 * Escaped braces (`\{`) and unmatched ones are text. Counts stop growing above `limit`.
 */
export function braceExpansion(pattern: string, limit = MAX_GLOB_EXPANSION): number {
  const close = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') open.push(i);
    else if (c === '}' && open.length > 0) close.set(open.pop() as number, i);
  }
  const cap = (n: number) => Math.min(n, limit + 1);
  /** The product of the groups in `pattern[from, to)`. */
  const span = (from: number, to: number): number => {
    let count = 1;
    for (let i = from; i < to && count <= limit; i++) {
      if (pattern[i] === '\\') i++;
      const end = close.get(i);
      if (end === undefined) continue;
      count = cap(count * group(i, end));
      i = end;
    }
    return count;
  };
  /** The patterns the group from `{` at `at` to `}` at `end` stands for. */
  const group = (at: number, end: number): number => {
    let sum = 0;
    let from = at + 1;
    let alternatives = 1;
    for (let i = at + 1; i <= end; i++) {
      if (pattern[i] === '\\') i++;
      else if (close.has(i)) i = close.get(i) as number;
      else if (pattern[i] === ',' || i === end) {
        if (pattern[i] === ',') alternatives++;
        sum = cap(sum + span(from, i));
        from = i + 1;
      }
    }
    if (alternatives > 1) return sum;
    const body = pattern.slice(at + 1, end);
    const range = RANGE.exec(body);
    if (range) {
      const value = (s: string) => (/\d/.test(s) ? Number(s) : s.charCodeAt(0));
      const step = Math.abs(Number(range[3] || 1)) || 1;
      return cap(Math.floor(Math.abs(value(range[2] as string) - value(range[1] as string)) / step) + 1);
    }
    // A range of another form (escaped or odd ends): braces may expand it up to its range limit.
    return body.includes('..') ? cap(MAX_GLOB_EXPANSION) : span(at + 1, end);
  };
  return span(0, pattern.length);
}

/**
 * Refuses a glob that would cost unbounded time or memory before it is matched: longer than
 * {@link MAX_GLOB_LENGTH}, or whose braces expand to more than {@link MAX_GLOB_EXPANSION} patterns (fast-glob
 * expands them all first: `{a,b}` 24 times over is 16 million patterns). `what` names the option in the error.
 */
export function checkGlob(pattern: string, what: string): void {
  if (pattern.length > MAX_GLOB_LENGTH)
    throw new UsageError(`${what}: '${pattern}' is longer than ${MAX_GLOB_LENGTH} characters`);
  if (braceExpansion(pattern) > MAX_GLOB_EXPANSION)
    throw new UsageError(
      `${what}: '${pattern}' expands to more than ${MAX_GLOB_EXPANSION} patterns (braces multiply: write fewer alternatives or ranges)`,
    );
}
