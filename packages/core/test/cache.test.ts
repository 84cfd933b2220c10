import { execFileSync } from 'node:child_process';
import type { BigIntStats } from 'node:fs';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuildCache, type CachedResult, cacheKey } from '../src/cache/cache.js';
import { Elf } from '../src/elf/elf.js';
import { parseBpfObject } from '../src/object.js';
import { relocationSignature } from '../src/object-signature.js';
import { SAMPLE_OBJECTS } from './build-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const covered: CachedResult = {
  status: 'covered',
  sourceBytes: 1000,
  btf: new Uint8Array([0x9f, 0xeb, 1, 0, 24, 0, 0, 0]),
  objects: [
    { total: 3, resolved: 2, absent: 1, poisoned: 1, guarded: 1, errors: 0, typeIdTarget: 0, skipped: 0 },
  ],
};

function entryFiles(cache: BuildCache): string[] {
  const root = join(cache.dir, 'entries');
  return readdirSync(root).flatMap((shard) =>
    readdirSync(join(root, shard)).map((f) => join(root, shard, f)),
  );
}

describe('BuildCache', () => {
  it('round-trips covered and failed results', async () => {
    const cache = new BuildCache(join(dir, 'rt'));
    await cache.put('aa11', covered);
    await cache.put('bb22', { status: 'failed', sourceBytes: 5, reason: 'ambiguous' });
    expect(await cache.get('aa11')).toEqual(covered);
    expect(await cache.get('bb22')).toEqual({ status: 'failed', sourceBytes: 5, reason: 'ambiguous' });
    expect(await cache.get('cc33')).toBeUndefined();
  });

  it('detects a corrupted entry, reports a miss and removes it', async () => {
    const cache = new BuildCache(join(dir, 'corrupt'));
    await cache.put('dd44', covered);
    const [file] = entryFiles(cache);
    const bytes = readFileSync(file!);
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff;
    writeFileSync(file!, bytes);
    expect(await cache.get('dd44')).toBeUndefined();
    expect(entryFiles(cache)).toEqual([]);
    writeFileSync(file!, 'garbage');
    expect(await cache.get('dd44')).toBeUndefined();
  });

  it('takes a FIFO, a link (to /dev/zero or a real record) or a directory in its place for a miss, at once', async () => {
    const cache = new BuildCache(join(dir, 'special'));
    await cache.setFileHash('/x/a.bpf.o', '1:2:3:4:5', 'aa');
    const [record] = readdirSync(join(cache.dir, 'files')).map((f) => join(cache.dir, 'files', f));
    const real = `${record}.real`;
    renameSync(record!, real);
    const replacements: [string, () => void][] = [
      ['a FIFO', () => execFileSync('mkfifo', [record!])],
      ['a link to /dev/zero', () => symlinkSync('/dev/zero', record!)],
      ['a link to a real record', () => symlinkSync(real, record!)],
      ['a directory', () => mkdirSync(record!)],
    ];
    for (const [what, replace] of replacements) {
      replace();
      expect(await cache.fileHash('/x/a.bpf.o', '1:2:3:4:5'), what).toBeUndefined();
      rmSync(record!, { recursive: true });
    }
    for (const key of ['ff66', 'ff77']) await cache.put(key, covered);
    const [entry] = entryFiles(cache);
    rmSync(entry!);
    execFileSync('mkfifo', [entry!]);
    expect(await cache.get(basename(entry!, '.bin'))).toBeUndefined();
    expect(await cache.get(['ff66', 'ff77'].find((k) => !entry!.endsWith(`${k}.bin`))!)).toEqual(covered);
  });

  it('evicts least recently used entries beyond maxBytes', async () => {
    const cache = new BuildCache(join(dir, 'evict'));
    for (const [i, key] of ['e1', 'e2', 'e3'].entries()) {
      await cache.put(key, covered);
      const file = entryFiles(cache).find((f) => f.endsWith(`${key}.bin`))!;
      utimesSync(file, 1000 + i, 1000 + i);
    }
    await cache.get('e1'); // e1 becomes the most recent
    const size = statSync(entryFiles(cache)[0]!).size;
    const { removed } = await cache.evict(2 * size);
    expect(removed).toBe(1);
    expect(await cache.get('e2')).toBeUndefined();
    expect(await cache.get('e1')).toBeDefined();
    expect(await cache.get('e3')).toBeDefined();
  });

  it('remembers source hashes by path and file identity, never for a racy identity', async () => {
    const cache = new BuildCache(join(dir, 'src'));
    const stats = (over: Partial<BigIntStats>) =>
      ({
        dev: 1n,
        ino: 2n,
        size: 10n,
        mtimeNs: 5_000_000_000_001n,
        ctimeNs: 6_000_000_000_001n,
        ...over,
      }) as BigIntStats;
    const facts = { sourceHash: 'ab', sourceBytes: 99 };
    const later = Date.now();
    await cache.setSourceHash('/x/k.btf.tar.xz', stats({}), later, facts);
    expect(await cache.sourceHash('/x/k.btf.tar.xz', stats({}))).toEqual(facts);
    for (const changed of [
      { size: 11n },
      { mtimeNs: 5_000_000_000_002n },
      { ctimeNs: 7n },
      { ino: 3n },
      { dev: 4n },
    ])
      expect(
        await cache.sourceHash('/x/k.btf.tar.xz', stats(changed)),
        JSON.stringify(changed, (_, v) => (typeof v === 'bigint' ? String(v) : v)),
      ).toBeUndefined();
    expect(await cache.sourceHash('/x/other.btf.tar.xz', stats({}))).toBeUndefined();
    // Stat'ed within the racy window of its change time: not remembered.
    const racy = stats({ ctimeNs: BigInt(later) * 1_000_000n - 1n, size: 12n });
    await cache.setSourceHash('/x/k.btf.tar.xz', racy, later, { sourceHash: 'cd', sourceBytes: 1 });
    expect(await cache.sourceHash('/x/k.btf.tar.xz', racy)).toBeUndefined();
    expect(await cache.sourceHash('/x/k.btf.tar.xz', stats({}))).toEqual(facts);
  });

  it('remembers whole-file hashes by path and identity', async () => {
    const cache = new BuildCache(join(dir, 'files'));
    await cache.setFileHash('/x/a.bpf.o', '1:2:3:4:5', 'aa');
    expect(await cache.fileHash('/x/a.bpf.o', '1:2:3:4:5')).toBe('aa');
    expect(await cache.fileHash('/x/a.bpf.o', '1:2:3:4:6')).toBeUndefined();
    expect(await cache.fileHash('/x/b.bpf.o', '1:2:3:4:5')).toBeUndefined();
  });
});

describe('cache keys and relocation signatures', () => {
  const [probePath, mmPath] = SAMPLE_OBJECTS as [string, string];
  const probe = new Uint8Array(readFileSync(probePath));
  const sig = (bytes: Uint8Array) => relocationSignature(parseBpfObject(bytes, 'x.bpf.o'));

  it('keys depend on source, signatures and mode', () => {
    const base = { sourceHash: 'a', signatures: ['s'], mode: 'robust' as const };
    const key = cacheKey(base);
    expect(cacheKey({ ...base })).toBe(key);
    expect(cacheKey({ ...base, sourceHash: 'b' })).not.toBe(key);
    expect(cacheKey({ ...base, signatures: ['t'] })).not.toBe(key);
    expect(cacheKey({ ...base, mode: 'bpftool' })).not.toBe(key);
  });

  it('differ between objects with different relocations', () => {
    expect(sig(probe)).not.toBe(sig(new Uint8Array(readFileSync(mmPath))));
  });

  it('ignore instruction bytes: changed code with the same relocations keeps the signature', () => {
    const object = parseBpfObject(probe, 'probe');
    const code = object.elf.sections.find(
      (s) => s.type === Elf.SHT_PROGBITS && object.ext.coreRelos.some((r) => r.section === s.name),
    )!;
    const patched = probe.slice();
    patched[code.offset + 4] = patched[code.offset + 4]! ^ 0x01; // an instruction's immediate
    expect(Buffer.compare(patched, probe)).not.toBe(0);
    expect(sig(patched)).toBe(sig(probe));
  });
});
