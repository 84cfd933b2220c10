/**
 * Bounded reading of kernel files: an archive's trailing data is never decompressed, an oversized member is refused
 * from its header, special files are refused without blocking, and the tar formats real tools write (ustar, pax,
 * GNU long names, base-256 sizes) are read. Every archive case runs with both xz decoders (the system xz tool and
 * the WASM fallback), and with the system xz decoding ahead into a temporary file (as a lane reads its next
 * kernel): same results, bounded, and no process or temporary file left.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import { MAX_KERNEL_BTF_BYTES, readKernelBtf } from '../src/snapshot/input.js';
import { archiveReadBound } from '../src/snapshot/tar-xz.js';
import { decodeXzAhead } from '../src/snapshot/xz-ahead.js';
import { findSystemXz, type XzDecoder } from '../src/snapshot/xz-source.js';
import { firstSampleKernel } from './build-fixtures.js';
import { liveXzChildren, liveXzTempFiles } from './xz-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const xzWith = (input: Uint8Array, options: string[]) =>
  new Uint8Array(execFileSync('xz', ['-c', '-T1', ...options], { input, maxBuffer: 1 << 28 }));
const xz = (input: Uint8Array) => xzWith(input, ['-0']);
const write = (name: string, bytes: Uint8Array | string) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/**
 * A 512-byte tar header (ustar) for `name` of `size` bytes and `type`, with a valid checksum unless `badSum`; the
 * size in base-256 when it does not fit 11 octal digits or `base256`.
 */
function header(
  name: string,
  size: number | bigint,
  type = '0',
  badSum = false,
  base256 = false,
): Uint8Array {
  const h = new Uint8Array(512);
  const put = (text: string, at: number) => h.set(new TextEncoder().encode(text), at);
  put(name, 0);
  put('0000644\0', 100);
  if (BigInt(size) < 8n ** 11n && !base256) put(`${size.toString(8).padStart(11, '0')}\0`, 124);
  else {
    let n = BigInt(size);
    for (let i = 135; i > 124; i--, n >>= 8n) h[i] = Number(n & 0xffn);
    h[124] = 0x80;
  }
  put(type, 156);
  put('ustar\x0000', 257);
  h.fill(0x20, 148, 156);
  const sum = h.reduce((a, b) => a + b, 0) + (badSum ? 1 : 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}
const pad = (data: Uint8Array) => concat(data, new Uint8Array((512 - (data.length % 512)) % 512));
const END = new Uint8Array(1024);

/** Reads `path` as a lane reads its next kernel: decoded ahead by the system xz into a temporary file. */
async function readAhead(path: string, maxBytes?: number): Promise<Uint8Array> {
  const bound = archiveReadBound(maxBytes ?? MAX_KERNEL_BTF_BYTES);
  const ahead = decodeXzAhead(findSystemXz() as string, path, bound);
  try {
    return await readKernelBtf(path, undefined, { maxBytes, xzSource: ahead.source() });
  } finally {
    await ahead.cancel();
  }
}

describe.each<XzDecoder | 'ahead'>(['native', 'wasm', 'ahead'])(
  'readKernelBtf on hostile archives (%s xz)',
  async (decoder) => {
    const read = (path: string, maxBytes?: number) =>
      decoder === 'ahead'
        ? readAhead(path, maxBytes)
        : readKernelBtf(path, undefined, { maxBytes, xzDecoder: decoder });
    afterEach(() => {
      expect(liveXzChildren()).toEqual([]);
      expect(liveXzTempFiles()).toEqual([]);
    });
    const kernel = await read(firstSampleKernel());
    const tarOf = (name: string, data: Uint8Array) => concat(header(name, data.length), pad(data), END);

    it('stops decompressing once the member is read: corrupt data after the archive is never reached', async () => {
      const zeros = xz(new Uint8Array(16 << 20));
      const cutZeros = zeros.subarray(0, zeros.length - 64); // its end is broken
      const whole = xz(concat(tarOf('k.btf', kernel), new Uint8Array(16 << 20)));
      const inStream = write('trailing.btf.tar.xz', whole.subarray(0, whole.length - 64));
      expect(Buffer.compare(await read(inStream), kernel)).toBe(0);
      // A second xz stream after the archive's own, as `cat k.btf.tar.xz zeros.xz` makes.
      const nextStream = write('appended.btf.tar.xz', concat(xz(tarOf('k.btf', kernel)), cutZeros));
      expect(Buffer.compare(await read(nextStream), kernel)).toBe(0);
    });

    it('stops at the first zero block of a stream of zeros', async () => {
      const whole = xz(new Uint8Array(32 << 20));
      const cut = write('zeros.btf.tar.xz', whole.subarray(0, whole.length - 64));
      await expect(read(cut)).rejects.toThrow(/archive has no \.btf member/);
    });

    it('reads no further than the member in 1 GiB of zeros, and leaves no decoder process behind', async () => {
      const zeros16MiB = xz(new Uint8Array(16 << 20));
      const gib = Array.from({ length: 64 }, () => zeros16MiB); // xz -dc decodes the 64 streams as 1 GiB of zeros
      const empty = write('gib-zeros.btf.tar.xz', concat(...gib));
      await expect(read(empty)).rejects.toThrow(/archive has no \.btf member/);
      // A member of 32 MiB of zeros, then the 1 GiB: the member is read, the zero block after it ends the archive.
      const member = write('gib-member.btf.tar.xz', concat(xz(header('k.btf', 32 << 20)), ...gib));
      await expect(read(member)).rejects.toThrow(/archive member is not BTF/);
      expect(liveXzChildren()).toEqual([]);
    });

    it('refuses a member over the limit from its header, before any of it is decompressed', async () => {
      for (const size of [MAX_KERNEL_BTF_BYTES + 1, 2 ** 31, 2n ** 40n]) {
        const path = write('huge.btf.tar.xz', xz(header('k.btf', size))); // the data is not even there
        await expect(read(path)).rejects.toThrow(
          new RegExp(`'k.btf' is ${size} bytes, more than the ${MAX_KERNEL_BTF_BYTES} accepted`),
        );
      }
      await expect(read(firstSampleKernel(), 1 << 20)).rejects.toThrow(/more than the 1048576 accepted/);
      const raw = write('raw.btf', kernel);
      await expect(read(raw, 1 << 20)).rejects.toThrow(/file is \d+ bytes, more than/);
      expect((await read(raw, kernel.length)).length).toBe(kernel.length);
    });

    it('rejects corrupt headers, truncation, too many entries and several members, naming the file', async () => {
      const cases: [string, Uint8Array, RegExp][] = [
        [
          'badsum',
          concat(header('k.btf', 4), pad(kernel.subarray(0, 4)), END).map((b, i) => (i === 0 ? 0x6a : b)),
          /bad tar header at byte 0/,
        ],
        [
          'badsum2',
          concat(header('k.btf', 4, '0', true), pad(kernel.subarray(0, 4)), END),
          /bad tar header at byte 0/,
        ],
        ['short-header', new Uint8Array(100).fill(1), /ends inside a tar header/],
        ['short-member', concat(header('k.btf', 4096), kernel.subarray(0, 100)), /'k.btf' is truncated/],
        [
          'dirs',
          concat(...Array.from({ length: 70 }, (_, i) => header(`d${i}/`, 0, '5')), END),
          /more than 64 entries/,
        ],
        [
          'two',
          concat(
            header('a.btf', 4),
            pad(kernel.subarray(0, 4)),
            header('b.btf', 4),
            pad(kernel.subarray(0, 4)),
            END,
          ),
          /several members \(a\.btf, b\.btf\)/,
        ],
        [
          'fifo-entry',
          concat(header('p', 10, '6'), pad(new Uint8Array(10)), END),
          /'p' is not a regular file/,
        ],
        [
          'big-pax',
          concat(header('PaxHeader', 1 << 20, 'x')),
          /metadata entry of 1048576 bytes is too large/,
        ],
        ['not-btf', tarOf('k.btf', new TextEncoder().encode('hello')), /not BTF \(bad magic\)/],
      ];
      const xzCases: [string, Uint8Array, RegExp][] = [
        [
          'not-xz-data',
          concat(xz(tarOf('k.btf', kernel)).subarray(0, 12), new Uint8Array(4096).fill(7)),
          /corrupt/,
        ],
        ['cut-xz', xz(tarOf('k.btf', kernel)).subarray(0, 100_000), /corrupt \.tar\.xz/],
        [
          'huge-dictionary',
          xzWith(tarOf('k.btf', kernel.subarray(0, 4096)), ['--lzma2=preset=0,dict=512MiB']),
          /corrupt \.tar\.xz/,
        ],
        ['garbage-after-stream', concat(xz(new Uint8Array(100)), new Uint8Array(64).fill(0x41)), /corrupt/],
      ];
      for (const [name, tar, message] of [...cases.map(([n, t, m]) => [n, xz(t), m] as const), ...xzCases]) {
        const path = write(`${name}.btf.tar.xz`, tar);
        const err = await read(path).catch((e: unknown) => e);
        expect(err, name).toBeInstanceOf(FormatError);
        expect((err as FormatError).message, name).toMatch(message);
        expect((err as FormatError).place.file, name).toBe(path);
      }
      expect(liveXzChildren()).toEqual([]);
    });

    it('reads pax, GNU long-name and base-256 headers as GNU tar writes them', async () => {
      const long = `${'d'.repeat(120)}/${'r'.repeat(110)}.btf`;
      const src = join(dir, 'src');
      mkdirSync(join(src, 'd'.repeat(120)), { recursive: true });
      writeFileSync(join(src, long), kernel);
      for (const format of ['pax', 'gnu']) {
        const tar = execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', '-', long], {
          maxBuffer: 1 << 28,
        });
        const path = write(`${format}.btf.tar.xz`, xz(tar));
        expect(Buffer.compare(await read(path), kernel), format).toBe(0);
      }
      const base256 = concat(header('k.btf', kernel.length, '0', false, true), pad(kernel), END);
      expect(Buffer.compare(await read(write('b256.btf.tar.xz', xz(base256))), kernel)).toBe(0);
    });
  },
);

describe('readKernelBtf on special files', () => {
  it('refuses FIFOs, devices and directories without blocking', async () => {
    const fifo = join(dir, 'fifo.btf');
    execFileSync('mkfifo', [fifo]);
    const sub = join(dir, 'sub.btf');
    mkdirSync(sub);
    for (const [path, kind] of [
      [fifo, 'a FIFO'],
      ['/dev/zero', 'a character device'],
      ['/dev/null', 'a character device'],
      [sub, 'a directory'],
    ]) {
      const err = await readKernelBtf(path as string).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect((err as FormatError).message).toBe(`${path}: not a regular file (${kind}): not read`);
    }
  });
});
