import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTar } from 'modern-tar';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import { KernelBuffer, readKernelBtf } from '../src/snapshot/input.js';
import { firstSampleKernel } from './build-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write `members` as a tar, xz-compress it with the xz tool, return its path. */
async function tarXz(name: string, members: Record<string, Uint8Array>): Promise<string> {
  const tar = await packTar(
    Object.entries(members).map(([n, d]) => ({ header: { name: n, size: d.length }, body: d })),
  );
  const path = join(dir, name);
  writeFileSync(path, execFileSync('xz', ['-c', '-T1'], { input: tar, maxBuffer: 1 << 30 }));
  return path;
}

describe('readKernelBtf', async () => {
  const kernel = firstSampleKernel();
  const raw = await readKernelBtf(kernel);

  it('reads a BTFHub .btf.tar.xz into raw BTF', () => {
    expect(raw[0]).toBe(0x9f);
    expect(raw[1]).toBe(0xeb);
    expect(raw.length).toBeGreaterThan(1_000_000);
  });

  it('reads raw BTF and gives the same bytes as the archive member', async () => {
    const path = join(dir, 'raw.btf');
    writeFileSync(path, raw);
    expect(Buffer.compare(await readKernelBtf(path), raw)).toBe(0);
  });

  it('reads raw BTF and archives into a reused KernelBuffer, same bytes, same memory', async () => {
    const small = join(dir, 'small.btf');
    writeFileSync(small, raw.subarray(0, 1000));
    const big = join(dir, 'big.btf');
    writeFileSync(big, raw);
    const into = new KernelBuffer();
    const a = await readKernelBtf(big, into);
    expect(Buffer.compare(a, raw)).toBe(0);
    const b = await readKernelBtf(small, into);
    expect(Buffer.compare(b, raw.subarray(0, 1000))).toBe(0);
    expect(b.buffer).toBe(a.buffer); // no new allocation for a smaller kernel
    const c = await readKernelBtf(kernel, into); // the .btf.tar.xz
    expect(Buffer.compare(c, raw)).toBe(0);
    expect(c.buffer).toBe(a.buffer);
  });

  it('rejects a corrupt .tar.xz, naming the file', async () => {
    const bytes = new Uint8Array(readFileSync(kernel));
    for (let i = 64; i < bytes.length; i += 997) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
    const path = join(dir, 'corrupt.btf.tar.xz');
    writeFileSync(path, bytes);
    const err = await readKernelBtf(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as FormatError).place.file).toBe(path);
  });

  it('rejects a truncated .tar.xz', async () => {
    const bytes = readFileSync(kernel);
    const path = join(dir, 'truncated.btf.tar.xz');
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    await expect(readKernelBtf(path)).rejects.toThrow(FormatError);
  });

  it('rejects archives without exactly one BTF member', async () => {
    const btf = raw.subarray(0, 4096);
    await expect(readKernelBtf(await tarXz('none.btf.tar.xz', {}))).rejects.toThrow(/no \.btf member/);
    await expect(
      readKernelBtf(await tarXz('two.btf.tar.xz', { 'a.btf': btf, 'b.btf': btf })),
    ).rejects.toThrow(/several members/);
    await expect(readKernelBtf(await tarXz('txt.btf.tar.xz', { 'a.txt': btf }))).rejects.toThrow(
      /not a \.btf file/,
    );
    const notBtf = new TextEncoder().encode('hello world, no BTF here');
    await expect(readKernelBtf(await tarXz('bad.btf.tar.xz', { 'x.btf': notBtf }))).rejects.toThrow(
      /not BTF/,
    );
  });

  it('rejects files that are neither BTF, ELF nor tar.xz', async () => {
    const path = join(dir, 'junk.btf');
    writeFileSync(path, 'junk');
    await expect(readKernelBtf(path)).rejects.toThrow(/not a kernel BTF/);
    await expect(readKernelBtf(join(dir, 'missing.btf'))).rejects.toThrow(/missing\.btf/);
  });
});
