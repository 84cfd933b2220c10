/**
 * The two xz decoders of `.btf.tar.xz` kernels: the system xz tool and the WebAssembly fallback give the bytes
 * `tar -xJOf` gives on real archives; the choice between them (PATH lookup, forced by the environment); and the
 * fallback end to end: the built CLI with a PATH that has no xz builds the same bundle, and says it is slower.
 * The WebAssembly decoder opens its file as a regular file only: a FIFO put in the kernel's place after the kernel
 * reader checked it does not block a thread of the pool. The hostile-archive cases run with both decoders in
 * snapshot-archive.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BtfBundleError, UsageError } from '../src/errors.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { scanSnapshot } from '../src/snapshot/scan.js';
import { nativeXzSource } from '../src/snapshot/xz-native.js';
import {
  chosenXzDecoder,
  findExecutable,
  findSystemXz,
  XZ_DECODER_ENV,
  xzFallbackNote,
} from '../src/snapshot/xz-source.js';
import { wasmXzSource } from '../src/snapshot/xz-wasm.js';
import { copySnapshot, SAMPLE_OBJECTS, sampleKernels } from './build-fixtures.js';
import { liveXzChildren } from './xz-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-xz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sample snapshot's archives, and those of the benchmark kernel tree when BTF_BUNDLE_KERNELS names one. */
async function realArchives(): Promise<string[]> {
  const extra = process.env.BTF_BUNDLE_KERNELS;
  if (!extra) return sampleKernels();
  const scan = await scanSnapshot(extra, { include: ['**/*.btf.tar.xz'] });
  return [...sampleKernels(), ...scan.kernels.map((k) => k.path)];
}

describe('xz decoders on real archives', async () => {
  const archives = await realArchives();

  it('give the bytes tar -xJOf gives, each of them', async () => {
    expect(archives.length).toBeGreaterThanOrEqual(6);
    for (const path of archives) {
      const expected = execFileSync('tar', ['-xJOf', path], { maxBuffer: 1 << 28 });
      for (const xzDecoder of ['native', 'wasm'] as const) {
        const bytes = await readKernelBtf(path, undefined, { xzDecoder });
        expect(Buffer.compare(bytes, expected), `${xzDecoder} ${path}`).toBe(0);
      }
    }
    expect(liveXzChildren()).toEqual([]);
  });

  it('read many archives at once (one xz process each, all ended)', async () => {
    const reads = sampleKernels()
      .flatMap((path) => [path, path])
      .map((path) => readKernelBtf(path));
    const sizes = (await Promise.all(reads)).map((b) => b.length);
    expect(sizes.every((n) => n > 1_000_000)).toBe(true);
    expect(liveXzChildren()).toEqual([]);
  });
});

describe('a reader that stops early', () => {
  it('leaves no late error behind, whichever decoder reads (the file is still being read when it stops)', async () => {
    // A real kernel's bytes under a name that is not <release>.btf: refused from the first tar header, while most
    // of the 1 MB archive is still to be read.
    const work = join(dir, 'early');
    mkdirSync(work);
    writeFileSync(
      join(work, 'vmlinux'),
      execFileSync('tar', ['-xJOf', sampleKernels()[0] as string], { maxBuffer: 1 << 28 }),
    );
    const archive = join(dir, 'early.btf.tar.xz');
    execFileSync('tar', ['-cJf', archive, '-C', work, 'vmlinux']);
    const late: unknown[] = [];
    const record = (err: unknown) => late.push(err);
    process.on('uncaughtException', record);
    try {
      for (let run = 0; run < 8; run++) {
        for (const xzDecoder of ['native', 'wasm'] as const) {
          await expect(readKernelBtf(archive, undefined, { xzDecoder })).rejects.toThrow(
            /archive member 'vmlinux' is not a \.btf file/,
          );
          await new Promise((settle) => setTimeout(settle, 20));
        }
      }
    } finally {
      process.off('uncaughtException', record);
    }
    expect(late).toEqual([]);
    expect(liveXzChildren()).toEqual([]);
  });
});

describe('the WebAssembly decoder given a FIFO', () => {
  it('refuses it at once instead of waiting for a writer', async () => {
    const fifo = join(dir, 'swapped.btf.tar.xz');
    execFileSync('mkfifo', [fifo]);
    let blocked = false;
    // Were the open waiting for a writer, this one (non-blocking: it fails unless a reader waits) releases it.
    const release = setTimeout(() => {
      blocked = true;
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    }, 3000);
    const outcome = await wasmXzSource(fifo).then(
      async (source) => {
        await source.stop();
        return 'opened';
      },
      (err: unknown) => err,
    );
    clearTimeout(release);
    expect(blocked).toBe(false);
    expect(outcome).toBeInstanceOf(BtfBundleError);
    expect(String(outcome)).toMatch(/swapped\.btf\.tar\.xz: not a regular file/);
  });
});

describe('choosing the xz decoder', () => {
  const saved = process.env[XZ_DECODER_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[XZ_DECODER_ENV];
    else process.env[XZ_DECODER_ENV] = saved;
  });

  it('finds xz on PATH, and nothing in a PATH without it or with relative entries', () => {
    expect(findSystemXz()).toBe(execFileSync('sh', ['-c', 'command -v xz'], { encoding: 'utf8' }).trim());
    expect(findExecutable('xz', dir)).toBeUndefined();
    expect(findExecutable('xz', `.:bin:${dir}`)).toBeUndefined();
    expect(findExecutable('xz', `${dir}:${dirname(findSystemXz() as string)}`)).toBe(findSystemXz());
  });

  it('uses the system xz by default; the environment forces either, and refuses anything else', () => {
    delete process.env[XZ_DECODER_ENV];
    expect(chosenXzDecoder()).toBe('native');
    expect(xzFallbackNote()).toBeUndefined();
    process.env[XZ_DECODER_ENV] = 'wasm';
    expect(chosenXzDecoder()).toBe('wasm');
    process.env[XZ_DECODER_ENV] = 'native';
    expect(chosenXzDecoder()).toBe('native');
    process.env[XZ_DECODER_ENV] = 'zstd';
    expect(() => chosenXzDecoder()).toThrow(UsageError);
    expect(() => chosenXzDecoder()).toThrow(/BTF_BUNDLE_XZ_DECODER must be 'native' or 'wasm', not 'zstd'/);
  });
});

describe('the CLI without xz on PATH', () => {
  const cli = resolve(import.meta.dirname, '../dist/bin/btf-bundle.cjs');

  it('builds the same bundle with the WASM decoder, and warns that it is slower', () => {
    const snapshot = copySnapshot((p) => p.includes('x86_64'));
    const noXz = join(dir, 'bin');
    mkdirSync(noXz);
    symlinkSync(process.execPath, join(noXz, 'node'));
    const build = (out: string, PATH: string, workers: string) =>
      spawnSync(
        process.execPath,
        [
          cli,
          'build',
          '--snapshot',
          snapshot,
          '--objects',
          ...SAMPLE_OBJECTS,
          '--out',
          out,
          '--no-cache',
          '--workers',
          workers,
        ],
        { encoding: 'utf8', env: { ...process.env, PATH, [XZ_DECODER_ENV]: '' } },
      );
    // Three lanes (two worker threads) each run xz processes; one lane decodes with WASM: the same bytes.
    const native = build(join(dir, 'native.bin'), process.env.PATH ?? '', '3');
    expect(native.status, native.stderr).toBe(0);
    expect(native.stderr).not.toMatch(/no xz on PATH/);
    const wasm = build(join(dir, 'wasm.bin'), noXz, '1');
    expect(wasm.status, wasm.stderr).toBe(0);
    expect(wasm.stderr).toMatch(
      /warning: no xz on PATH: \.btf\.tar\.xz kernels are decoded by the built-in WebAssembly decoder/,
    );
    expect(Buffer.compare(readFileSync(join(dir, 'wasm.bin')), readFileSync(join(dir, 'native.bin')))).toBe(
      0,
    );
  });
});

describe('the system xz failing', () => {
  const fakeXz = (name: string, script: string) => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return path;
  };

  it('names the file and the cause when xz cannot start, is killed or fails', async () => {
    const archive = sampleKernels()[0] as string;
    const cases: [string, RegExp, string][] = [
      [join(dir, 'missing-xz'), /cannot run .*missing-xz: spawn .*missing-xz ENOENT/, 'BtfBundleError'],
      [fakeXz('killed-xz', 'kill -9 $$'), /killed-xz was killed by SIGKILL/, 'BtfBundleError'],
      [
        fakeXz('failing-xz', 'for last; do :; done; echo "$0: $last: Out of luck" >&2; exit 1'),
        /corrupt \.tar\.xz: xz: Out of luck$/,
        'FormatError',
      ],
      [fakeXz('silent-xz', 'exit 3'), /corrupt \.tar\.xz: xz exited with status 3/, 'FormatError'],
    ];
    for (const [xz, message, name] of cases) {
      const source = nativeXzSource(xz, archive);
      const err = await source.next().catch((e: unknown) => e);
      await source.stop();
      expect(err, xz).toBeInstanceOf(BtfBundleError);
      expect((err as BtfBundleError).name, xz).toBe(name);
      expect((err as BtfBundleError).message, xz).toMatch(message);
      expect((err as BtfBundleError).place.file, xz).toBe(archive);
    }
    expect(liveXzChildren()).toEqual([]);
  });
});
