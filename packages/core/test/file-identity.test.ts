import type { BigIntStats } from 'node:fs';
import { copyFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FileHashIndex, readObjects, resolveObjects } from '../src/build/objects.js';
import { BuildCache } from '../src/cache/cache.js';
import { fileIdentity, isRacy } from '../src/util/file-identity.js';
import { sha256Hex } from '../src/util/sha256.js';
import { SAMPLE_OBJECTS } from './build-fixtures.js';
import { settled } from './settled.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

/** Stats with the given change and modification times (ms since the epoch, as a file system would give them). */
const timed = (ctimeNs: bigint, mtimeNs: bigint) => ({ ctimeNs, mtimeNs }) as BigIntStats;
const NOW_MS = 1_700_000_000_123;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

describe('isRacy', () => {
  it('trusts a sub-second timestamp only once it is 100 ms older than the stat', () => {
    expect(isRacy(timed(ns(NOW_MS - 50) + 7n, ns(NOW_MS - 9_000) + 7n), NOW_MS)).toBe(true);
    expect(isRacy(timed(ns(NOW_MS - 150) + 7n, ns(NOW_MS - 9_000) + 7n), NOW_MS)).toBe(false);
  });

  it('gives whole-second timestamps (FAT, old ext, NFS) a 3 s margin', () => {
    const second = (s: number) => BigInt(s) * 1_000_000_000n;
    const nowS = Math.floor(NOW_MS / 1000);
    expect(isRacy(timed(second(nowS - 2), second(nowS - 2)), NOW_MS)).toBe(true);
    expect(isRacy(timed(second(nowS - 4), second(nowS - 4)), NOW_MS)).toBe(false);
  });

  it('does not trust a modification time set ahead of the stat', () => {
    expect(isRacy(timed(ns(NOW_MS - 9_000) + 7n, ns(NOW_MS + 60_000) + 7n), NOW_MS)).toBe(true);
  });
});

describe('fileIdentity', () => {
  it('changes when a file is touched, even to its old times', () => {
    const path = join(temp('btf-identity-'), 'f');
    writeFileSync(path, 'abc');
    const before = statSync(path, { bigint: true });
    utimesSync(path, before.atime, before.mtime);
    const after = statSync(path, { bigint: true });
    // The change time is the kernel's clock: it moved unless the touch fell in the same tick (then isRacy).
    if (after.ctimeNs === before.ctimeNs) expect(isRacy(after, Date.now() - 1)).toBe(true);
    else expect(fileIdentity(after)).not.toBe(fileIdentity(before));
  });
});

/** A copy of the sample object `oracle-probe.bpf.o` in a fresh dir, its hash index and its sha256. */
function copiedObject(): { path: string; cache: BuildCache; sha256: string } {
  const dir = temp('btf-objects-');
  const path = join(dir, 'oracle-probe.bpf.o');
  copyFileSync(SAMPLE_OBJECTS[0]!, path);
  return { path, cache: new BuildCache(join(dir, 'cache')), sha256: sha256Hex(readFileSync(path)) };
}

/** The same bytes with one byte of the DWARF strings changed: same size, still a valid object. */
function editedInPlace(path: string): string {
  const bytes = readFileSync(path);
  const at = bytes.indexOf('clang version');
  expect(at).toBeGreaterThan(0);
  bytes[at] = 'C'.charCodeAt(0);
  const { atime, mtime } = statSync(path);
  writeFileSync(path, bytes);
  utimesSync(path, atime, mtime);
  return sha256Hex(bytes);
}

const only = async (path: string, index?: FileHashIndex) =>
  [...(await resolveObjects([path], '/', index)).values()][0]![0]!;

describe('resolveObjects with a file hash index', () => {
  it('records the hash of a settled object and then answers from it without reading the file', async () => {
    const { path, cache, sha256 } = copiedObject();
    await settled([path]);
    const first = await only(path, cache);
    expect(first.sha256).toBe(sha256);
    expect(first.object).toBeDefined();
    const again = await only(path, cache);
    expect(again.sha256).toBe(sha256);
    expect(again.object).toBeUndefined();
    expect(await readObjects([again])).toBe(false);
    expect(again.object?.ext.coreRelos).toEqual(first.object?.ext.coreRelos);
    expect(again.sha256).toBe(sha256);
  });

  it('reads a touched object again and finds the same hash', async () => {
    const { path, cache, sha256 } = copiedObject();
    await settled([path]);
    await only(path, cache);
    utimesSync(path, new Date(), new Date());
    const touched = await only(path, cache);
    expect(touched.object).toBeDefined();
    expect(touched.sha256).toBe(sha256);
  });

  it('never takes a racy identity at its word: a same-size edit keeping the mtime is seen', async () => {
    const { path, cache } = copiedObject();
    await only(path, cache); // just written: racy, so nothing is recorded
    const edited = editedInPlace(path);
    expect((await only(path, cache)).sha256).toBe(edited);
    // An index that would vouch for anything (as a record of a racy identity could) is not even asked.
    const lying: FileHashIndex = { fileHash: async () => '0'.repeat(64), setFileHash: async () => {} };
    const file = await only(path, lying);
    expect(file.sha256).toBe(edited);
    expect(file.object).toBeDefined();
  });

  it('finds an object changed after it was vouched for when it is read, and takes the new hash', async () => {
    const { path, sha256 } = copiedObject();
    // The file changes between the stat that vouched for it and the read (here: the index vouches wrongly).
    const edited = editedInPlace(path);
    await settled([path]);
    const stale: FileHashIndex = { fileHash: async () => sha256, setFileHash: async () => {} };
    const file = await only(path, stale);
    expect(file.sha256).toBe(sha256);
    expect(file.object).toBeUndefined();
    expect(await readObjects([file])).toBe(true);
    expect(file.sha256).toBe(edited);
  });
});
