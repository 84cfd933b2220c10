/**
 * Property tests (fast-check, seeded, bounded) of the runtime's kernel detection: any os-release text, any
 * release string and any arch give a detected kernel or a typed error, never a crash or an echo of a huge value;
 * release parsing and ordering are total and consistent whatever the string.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BtfRuntimeError, detectKernel } from '../src/index.js';
import { parseOsRelease } from '../src/internal.js';
import { compareNumbers, naturalCompare, splitRelease } from '../src/kernel/release.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const seed = (s: number) => ({ seed: Number(process.env.FUZZ_SEED ?? s), numRuns: RUNS });

const root = mkdtempSync(join(tmpdir(), 'btf-detect-fuzz-'));
mkdirSync(join(root, 'etc'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Text shaped like os-release: known keys, odd values, quotes, escapes, junk lines, long runs. */
const osReleaseText = fc
  .array(
    fc.oneof(
      fc
        .tuple(fc.constantFrom('ID', 'VERSION_ID', 'ID_LIKE', 'NAME', 'X'), fc.string({ maxLength: 40 }))
        .map(([k, v]) => `${k}=${v}`),
      fc
        .tuple(
          fc.constantFrom('ID', 'VERSION_ID', 'ID_LIKE'),
          fc.constantFrom('"', "'", ''),
          fc.string({ unit: 'binary', maxLength: 20 }),
        )
        .map(([k, q, v]) => `${k}=${q}${v}${q}`),
      fc.constantFrom(
        'ID=debian',
        'VERSION_ID="12"',
        'ID_LIKE="rhel fedora"',
        '# c',
        '',
        'ID=',
        'ID="a\\"b"',
      ),
      fc.nat({ max: 2000 }).map((n) => `ID=${'x'.repeat(n)}`),
      fc.string({ unit: 'binary', maxLength: 60 }),
    ),
    { maxLength: 12 },
  )
  .chain((lines) => fc.constantFrom('\n', '\r\n').map((eol) => lines.join(eol)));

const release = fc.oneof(
  fc.constantFrom(
    '6.1.0-47-amd64',
    '5.15.0-91-generic',
    '4.18.0-372.9.1.el8.x86_64',
    '',
    '..',
    'a/b',
    '6.1\0',
  ),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[0-9]{1,20}([.-][0-9]{1,20}){0,8}[-a-z0-9.+~]{0,12}$/),
  fc
    .tuple(fc.integer({ min: 300, max: 400 }), fc.constantFrom('', '-1', '.2-amd64'))
    .map(([n, s]) => `${'9'.repeat(n)}${s}`),
);

describe('detectKernel fuzz', () => {
  it('gives a kernel or a typed error for any os-release, release and arch', () => {
    fc.assert(
      fc.property(osReleaseText, release, fc.string({ maxLength: 12 }), (text, rel, arch) => {
        writeFileSync(join(root, 'etc/os-release'), text);
        try {
          const k = detectKernel({ hostRoot: root, release: rel, arch });
          expect(k.distro).toMatch(/^[A-Za-z0-9._+~-]{1,128}$/);
          expect(k.release).toBe(rel);
        } catch (err) {
          expect(err).toBeInstanceOf(BtfRuntimeError);
          expect((err as Error).message.length).toBeLessThan(600);
        }
      }),
      seed(0xde7ec7),
    );
  });

  it('parses any text into a map of well-formed keys', () => {
    fc.assert(
      fc.property(osReleaseText, (text) => {
        for (const [key, value] of parseOsRelease(text)) {
          expect(key).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
          expect(typeof value).toBe('string');
        }
      }),
      seed(0x05e1),
    );
  });
});

describe('release strings fuzz', () => {
  it('orders digit runs too long for a number (crasher: NaN from Infinity - Infinity)', () => {
    const long = '9'.repeat(309);
    expect(naturalCompare(long, `${long}9`)).toBeLessThan(0);
    expect(naturalCompare(`${long}9`, long)).toBeGreaterThan(0);
    expect(naturalCompare(`${long}8`, `${long}9`)).toBeLessThan(0);
    expect(naturalCompare('007', '7')).not.toBe(0);
    expect(naturalCompare('6.1.0-10', '6.1.0-9')).toBeGreaterThan(0);
  });

  it('splits any release into safe numbers and a flavour made of its own words', () => {
    fc.assert(
      fc.property(release, (rel) => {
        const { numbers, flavour } = splitRelease(rel);
        for (const n of numbers) expect(Number.isSafeInteger(n)).toBe(true);
        for (const word of flavour.split('-').filter(Boolean)) expect(rel).toContain(word);
        expect(compareNumbers(numbers, numbers)).toBe(0);
      }),
      seed(0x5e1ea5e),
    );
  });

  it('orders releases totally: antisymmetric, reflexive, transitive', () => {
    fc.assert(
      fc.property(release, release, release, (a, b, c) => {
        expect(naturalCompare(a, a)).toBe(0);
        expect(Math.sign(naturalCompare(a, b))).toBe(-Math.sign(naturalCompare(b, a)) || 0);
        if (naturalCompare(a, b) === 0) expect(a).toBe(b);
        if (naturalCompare(a, b) <= 0 && naturalCompare(b, c) <= 0)
          expect(naturalCompare(a, c)).toBeLessThanOrEqual(0);
      }),
      seed(0x07de7),
    );
  });
});
