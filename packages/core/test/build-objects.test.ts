import { execFileSync } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { normalizeArch } from '@btf-bundle/runtime/internal';
import { describe, expect, it } from 'vitest';
import {
  ANY_ARCH,
  archOfObjectName,
  MAX_OBJECT_BYTES,
  objectsForArch,
  parsedObject,
  readObjectFile,
  resolveObjects,
} from '../src/build/objects.js';
import { FormatError, UsageError } from '../src/errors.js';
import { parseBpfObject } from '../src/object.js';
import { sha256Hex } from '../src/util/sha256.js';
import { SAMPLE_OBJECTS } from './build-fixtures.js';

describe('archOfObjectName', () => {
  it('recognises bpf2go names', () => {
    expect(archOfObjectName('probe_x86_bpfel.o')).toBe('x86_64');
    expect(archOfObjectName('/a/b/probe_arm64_bpfel.o')).toBe('arm64');
    expect(archOfObjectName('probe_s390_bpfeb.o')).toBe('s390x');
    // the runtime's names, so build time and run time agree on every arch
    for (const [target, arch] of [
      ['powerpc', 'ppc64le'],
      ['riscv', 'riscv64'],
      ['mips', 'mips64el'],
      ['loong64', 'loongarch64'],
      ['amd64', 'x86_64'],
    ]) {
      expect(archOfObjectName(`probe_${target}_bpfel.o`)).toBe(arch);
      expect(normalizeArch(arch as string)).toBe(arch);
    }
    expect(archOfObjectName('probe_bpfel.o')).toBe(ANY_ARCH);
    expect(archOfObjectName('probe.bpf.o')).toBe(ANY_ARCH);
  });
});

describe('resolveObjects', () => {
  it('puts a plain list of unpinned objects under every arch, sorted by name', async () => {
    const byArch = await resolveObjects([...SAMPLE_OBJECTS].reverse());
    expect([...byArch.keys()]).toEqual([ANY_ARCH]);
    const names = objectsForArch(byArch, 'arm64').map((o) => o.name);
    expect(names).toEqual(['mm-only.bpf.o', 'oracle-probe.bpf.o']);
    expect(objectsForArch(byArch, 'x86_64')[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes a per-arch record as given and expands globs', async () => {
    const dir = SAMPLE_OBJECTS[0]!.replace(/[^/]+$/, '');
    const byArch = await resolveObjects({ x86_64: [`${dir}oracle-*.bpf.o`] });
    expect(objectsForArch(byArch, 'x86_64').map((o) => o.name)).toEqual(['oracle-probe.bpf.o']);
    expect(objectsForArch(byArch, 'arm64')).toEqual([]);
  });

  it('rejects missing files and globs matching nothing', async () => {
    await expect(resolveObjects(['/nonexistent/x.bpf.o'])).rejects.toThrow(UsageError);
    await expect(resolveObjects(['/nonexistent/*.bpf.o'])).rejects.toThrow(/matches no file/);
  });
});

describe('readObjectFile', () => {
  it('reads an object only as a regular file of at most MAX_OBJECT_BYTES, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-objects-'));
    try {
      const big = join(dir, 'big.bpf.o');
      writeFileSync(big, '');
      truncateSync(big, MAX_OBJECT_BYTES + 1); // sparse: refused by its size, never read
      await expect(readObjectFile(big)).rejects.toThrow(
        new UsageError(
          `cannot read object ${big}: ${MAX_OBJECT_BYTES + 1} bytes, more than the ${MAX_OBJECT_BYTES} accepted`,
        ),
      );
      const fifo = join(dir, 'fifo.bpf.o');
      execFileSync('mkfifo', [fifo]);
      await expect(readObjectFile(fifo)).rejects.toThrow(`cannot read object ${fifo}: not a regular file`);
      expect(await readObjectFile(SAMPLE_OBJECTS[0] as string)).toBeInstanceOf(Uint8Array);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('objects read for a build', () => {
  it('are hashed whole and parsed alike, whether just written (read whole) or not (positioned reads)', async () => {
    // A real object with its DWARF (751 KB: several chunks of the streamed hash).
    const bytes = new Uint8Array(
      readFileSync(fileURLToPath(new URL('../testdata/biolatency.bpf.o', import.meta.url))),
    );
    const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-objects-'));
    try {
      const path = join(dir, 'probe.bpf.o');
      writeFileSync(path, bytes);
      const read = async () => objectsForArch(await resolveObjects([path]), 'x86_64')[0]!;
      // Written just now: its identity cannot vouch for its contents, so it is read whole.
      const fresh = await read();
      await sleep(300); // past that margin: parsed by positioned reads, the hash streamed
      const settled = await read();
      const expected = parseBpfObject(bytes, 'probe.bpf.o');
      for (const file of [fresh, settled]) {
        expect(file.sha256).toBe(sha256Hex(bytes));
        const object = parsedObject(file);
        expect(object.sections).toEqual(expected.sections);
        expect(object.ext.coreRelos).toEqual(expected.ext.coreRelos);
        expect(object.ext.coreRelos.length).toBeGreaterThan(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** A real object with its DWARF (751 KB), to be written in place in pieces. */
  const biolatency = () =>
    new Uint8Array(readFileSync(fileURLToPath(new URL('../testdata/biolatency.bpf.o', import.meta.url))));

  /**
   * Writes `contents` over the file at `path` in place (same inode, as `cp` does), each in `pieces` parts
   * `everyMs` apart; resolves once the last part is written.
   */
  async function writeInPlace(path: string, contents: Uint8Array[], pieces: number, everyMs: number) {
    const fd = openSync(path, 'r+');
    try {
      for (const bytes of contents) {
        ftruncateSync(fd, 0);
        const step = Math.ceil(bytes.length / pieces);
        for (let at = 0; at < bytes.length; at += step) {
          writeSync(fd, bytes, at, Math.min(step, bytes.length - at), at);
          await sleep(everyMs);
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  it('are read again once settled when they were being written in place as they were read', async () => {
    const bytes = biolatency();
    const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-objects-'));
    try {
      const path = join(dir, 'probe.bpf.o');
      writeFileSync(path, bytes.subarray(0, 4096)); // the start of an object, its section table still to come
      // The rest arrives in 12 pieces over ~250 ms: the build's first read meets a partial object (no section table).
      const writer = writeInPlace(path, [bytes], 12, 20);
      const file = objectsForArch(await resolveObjects([path]), 'x86_64')[0]!;
      await writer;
      expect(file.sha256).toBe(sha256Hex(bytes));
      expect(parsedObject(file).ext.coreRelos).toEqual(parseBpfObject(bytes, 'probe.bpf.o').ext.coreRelos);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('that stay broken are refused with their FormatError, and those that keep changing after 3 reads', async () => {
    const bytes = biolatency();
    const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-objects-'));
    try {
      const path = join(dir, 'probe.bpf.o');
      writeFileSync(path, bytes.subarray(0, 4096));
      const broken = await resolveObjects([path]).catch((err: unknown) => err);
      expect(broken).toBeInstanceOf(FormatError);
      expect((broken as Error).message).toContain('probe.bpf.o');
      // Rewritten again and again, each time in pieces: never a whole object for long.
      const halves = [bytes.subarray(0, bytes.length >> 1), bytes.subarray(0, bytes.length >> 2)];
      let stop = false;
      const writer = (async () => {
        while (!stop) await writeInPlace(path, halves, 4, 10);
      })();
      const changing = await resolveObjects([path]).catch((err: unknown) => err);
      stop = true;
      await writer;
      expect(changing).toBeInstanceOf(UsageError);
      expect((changing as Error).message).toMatch(
        /^cannot read object .*probe\.bpf\.o: it changed while it was read, 3 times \(is it still being written\?\); the last read: /,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
