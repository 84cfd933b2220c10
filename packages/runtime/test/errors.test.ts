/**
 * The one error tree and its printer: every package's errors share BtfBundleError (code, place, detail); withPlace
 * keeps class, code and fields; formatError prints any thrown value, including real Node.js file-system errors, as
 * one bounded line with control characters escaped and no stack.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BtfBundleError,
  BtfNotFoundError,
  BtfRuntimeError,
  BundleCorruptError,
  BundleVersionError,
  decodeBundle,
  formatError,
} from '../src/index.js';
import { MAX_ERROR_DETAIL, MAX_ERROR_LINE } from '../src/internal.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `fn` throws. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('BtfBundleError', () => {
  it('is the base of the runtime errors, with their stable codes', () => {
    const err = thrown(() => decodeBundle(new TextEncoder().encode('definitely not a bundle')));
    expect(err).toBeInstanceOf(BtfRuntimeError);
    expect(err).toBeInstanceOf(BtfBundleError);
    expect((err as BtfBundleError).code).toBe('BUNDLE_FOREIGN');
    expect(new BtfNotFoundError('debian/12/x86_64/r', 'failed').code).toBe('BTF_NOT_FOUND');
  });

  it('withPlace returns a copy of the same class, code and fields, with the place in the message', () => {
    const err = new BundleVersionError(9, 3);
    const placed = err.withPlace({ file: 'app/bundle.bin', offset: 4 });
    expect(placed).toBeInstanceOf(BundleVersionError);
    expect([placed.code, placed.version, placed.name]).toEqual(['BUNDLE_VERSION', 9, 'BundleVersionError']);
    expect(placed.message).toBe(`app/bundle.bin (offset 4): ${err.message}`);
    expect(err.place).toEqual({});
    expect(placed.withPlace({ file: 'other' }).place.file).toBe('app/bundle.bin');
  });

  it('bounds its detail, keeping both ends', () => {
    const access = `0:${'1:'.repeat(200_000)}7`;
    const err = new BtfBundleError(`bad access string ${access}`, { file: 'x.bpf.o' });
    expect(err.detail.length).toBeLessThan(MAX_ERROR_DETAIL + 40);
    expect(err.detail).toMatch(/^bad access string 0:1:1:.*…\[\d+ characters cut\]….*1:7$/);
  });
});

describe('formatError', () => {
  it('prints a btf-bundle error as its message', () => {
    const err = new BundleCorruptError('index checksum mismatch').withPlace({
      file: 'b.bin',
      section: 'index',
    });
    expect(formatError(err)).toBe('b.bin (index): index checksum mismatch');
  });

  it('prints real file-system errors as path, operation, reason and errno', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const cases: [() => unknown, RegExp][] = [
      [
        () => readFileSync(join(dir, 'missing')),
        /missing: cannot open: no such file or directory \(ENOENT\)$/,
      ],
      [() => mkdirSync(file), /file: cannot mkdir: file already exists \(EEXIST\)$/],
      [() => readFileSync(join(file, 'under')), /under: cannot open: not a directory \(ENOTDIR\)$/],
      [() => rmSync(dir), /btf-errors-\w+: cannot rm: .*\(ERR_FS_EISDIR\)$/],
      [() => readFileSync(dir), /^cannot read: illegal operation on a directory \(EISDIR\)$/],
    ];
    for (const [fn, expected] of cases) {
      const line = formatError(thrown(fn));
      expect(line).toMatch(expected);
      expect(line).not.toMatch(/\n|\s+at /);
    }
  });

  it('cuts a 64 MB line to a bounded one with an ellipsis and escapes control characters', () => {
    const huge = `ID=${'a'.repeat(64 << 20)}\x1b[2J\nVERSION=1`;
    const line = formatError(new BtfBundleError(huge, { file: '/host/etc/os-release' }));
    expect(line.length).toBeLessThanOrEqual(MAX_ERROR_LINE + 40);
    expect(line).toMatch(/^\/host\/etc\/os-release: ID=aaa.*…\[\d+ characters cut\]…/);
    expect(line).toContain('\\x1b[2J\\nVERSION=1');
    expect(formatError(new Error(`x${'y'.repeat(1 << 20)}\r\n`)).length).toBeLessThanOrEqual(
      MAX_ERROR_LINE + 40,
    );
  });

  it('prints anything else as an internal error without a stack', () => {
    expect(formatError(new TypeError('x is undefined'))).toBe('internal error: TypeError: x is undefined');
    expect(formatError('a string')).toBe('internal error: a string');
    expect(formatError(undefined)).toBe('internal error: undefined');
  });
});
