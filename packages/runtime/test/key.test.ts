/**
 * Kernel-id syntax: the runtime checks ids and key parts with a loop over a table of allowed characters (a fresh
 * process's first regular expression costs more to set up than a lookup spends on it). Property tests (fast-check,
 * seeded, bounded) hold that loop to the grammar written as a regular expression: 1 to 128 characters of
 * `[A-Za-z0-9._+~-]` per part, not `.` or `..`, exactly four parts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidKernelKeyError, kernelId, parseKernelId } from '../src/index.js';
import { checkKernelKey, kernelIdIfValid, parseKernelIdIfValid } from '../src/internal.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const seed = (s: number) => ({ seed: Number(process.env.FUZZ_SEED ?? s), numRuns: RUNS });

/** The grammar of one part, as a regular expression. */
const PART = String.raw`(?!\.\.?(?:/|$))[A-Za-z0-9._+~-]{1,128}`;
const GRAMMAR_PART = new RegExp(`^${PART}$`);
const GRAMMAR_ID = new RegExp(`^${PART}/${PART}/${PART}/${PART}$`);

/** Characters on both sides of every boundary of the allowed set, and a few that look like them. */
const EDGE = [...'./_+~-09AZaz@[`{:/\n\u0000\u000e\u007f\u00e9\u0130\u212a'];

/** A part: mostly allowed characters, sometimes an edge one, sometimes `.`/`..`, sometimes 128 ± 1 long. */
const part = fc.oneof(
  fc.string({ unit: fc.constantFrom(...EDGE, 'a', '1', '.'), maxLength: 6 }),
  fc.constantFrom('', '.', '..', '...', '.a', 'a.', '..a'),
  fc.integer({ min: 127, max: 129 }).map((n) => 'x'.repeat(n)),
  fc.string({ maxLength: 8 }),
);
/** An id: two to six parts joined by `/`. */
const id = fc.array(part, { minLength: 2, maxLength: 6 }).map((parts) => parts.join('/'));

describe('kernel id syntax', () => {
  it('accepts exactly the ids of the grammar', () => {
    fc.assert(
      fc.property(id, (s) => {
        const valid = GRAMMAR_ID.test(s);
        expect(parseKernelIdIfValid(s) !== undefined).toBe(valid);
        if (valid) expect(kernelId(parseKernelId(s))).toBe(s);
        else expect(() => parseKernelId(s)).toThrow(InvalidKernelKeyError);
      }),
      seed(1),
    );
  });

  it('accepts exactly the key parts of the grammar', () => {
    fc.assert(
      fc.property(part, (p) => {
        const valid = GRAMMAR_PART.test(p);
        const key = { distro: 'debian', version: '12', arch: 'x86_64', release: p };
        if (valid) expect(checkKernelKey(key)).toEqual(key);
        else expect(() => checkKernelKey(key)).toThrow(InvalidKernelKeyError);
        expect(kernelIdIfValid(key)).toBe(valid ? `debian/12/x86_64/${p}` : undefined);
      }),
      seed(2),
    );
  });

  it('takes 128 characters a part, not 129, and refuses empty parts and `.`/`..`', () => {
    const long = 'a'.repeat(128);
    expect(parseKernelIdIfValid(`${long}/1/x86_64/${long}`)).toBeDefined();
    expect(parseKernelIdIfValid(`${long}a/1/x86_64/6.1`)).toBeUndefined();
    for (const bad of ['debian//x86_64/6.1', 'debian/12/x86_64/', '/12/x86_64/6.1', 'debian/./x86_64/6.1'])
      expect(parseKernelIdIfValid(bad), bad).toBeUndefined();
    expect(parseKernelIdIfValid('debian/../x86_64/6.1')).toBeUndefined();
    expect(parseKernelIdIfValid('debian/.../x86_64/6.1')).toBeDefined();
    expect(parseKernelIdIfValid('debian/12/x86_64/6.1/x')).toBeUndefined();
  });
});
