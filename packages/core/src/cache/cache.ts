import type { BigIntStats } from 'node:fs';
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ObjectRelocationSummary } from '../report/relocations.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { type FileIdentity, fileIdentity, isRacy } from '../util/file-identity.js';
import { readRegularFile } from '../util/regular-file.js';
import { sha256Bytes, sha256Hex } from '../util/sha256.js';
import { MINIMIZER_REVISION, TOOL_VERSION } from '../version/version.js';

/** Default cache directory, under the current working directory. */
export const DEFAULT_CACHE_DIR = 'node_modules/.cache/btf-bundle';

/** Default size bound of the cache (entries only). */
export const DEFAULT_CACHE_MAX_BYTES = 1024 * 1024 * 1024;

/** Largest cache file read (a whole-build record holds a bundle and its report: megabytes at BTFHub scale). */
const MAX_CACHE_FILE_BYTES = 512 * 1024 * 1024;

/**
 * The bytes of the cache file at `path`, or undefined when it cannot be one of ours: missing, a link, not a regular
 * file (a FIFO would block the read forever, `/dev/zero` never end it), or larger than any record (the rule of
 * `readRegularFile`, links not followed). A file that shrank while read comes out short: its checksum then fails.
 */
async function readCacheFile(path: string): Promise<Buffer | undefined> {
  const read = await readRegularFile(path, { noFollow: true, maxBytes: MAX_CACHE_FILE_BYTES }).catch(
    () => undefined,
  );
  return Buffer.isBuffer(read) ? read : undefined;
}

/** Per-object relocation counts as stored in the cache (the object's name is re-attached on read). */
export type CachedSummary = Omit<ObjectRelocationSummary, 'object'>;

/** The cached outcome of minimizing one kernel BTF for one set of objects. */
export type CachedResult =
  | { status: 'covered'; sourceBytes: number; btf: Uint8Array; objects: CachedSummary[] }
  | { status: 'failed'; sourceBytes: number; reason: string };

/** Parts of a cache key. */
export interface CacheKeyParts {
  /** sha256 of the kernel's raw BTF. */
  sourceHash: string;
  /** Relocation signatures of the objects, in the order they are given to the minimizer. */
  signatures: string[];
  /** Minimizer mode (`robust`, `bpftool`). */
  mode: string;
}

const ENTRY_MAGIC = 'BBC1';
const CHECKSUM_LEN = 32;

/** The content-addressed key of a result: hex sha256 of the tool version, mode, source hash and signatures. */
export function cacheKey(parts: CacheKeyParts): string {
  const text = JSON.stringify([
    TOOL_VERSION,
    MINIMIZER_REVISION,
    parts.mode,
    parts.sourceHash,
    parts.signatures,
  ]);
  return sha256Hex(text);
}

/** Serialize a record: magic, meta length, meta JSON, payload bytes, then a sha256 of all that. */
function encodeRecord(meta: unknown, payload: Uint8Array): Uint8Array {
  const metaBytes = Buffer.from(JSON.stringify(meta));
  const head = Buffer.alloc(8);
  head.write(ENTRY_MAGIC, 0, 'latin1');
  head.writeUInt32LE(metaBytes.length, 4);
  const body = Buffer.concat([head, metaBytes, payload]);
  return Buffer.concat([body, sha256Bytes(body)]);
}

/** Parse a record, or undefined if it is truncated, corrupted or not a record. */
function decodeRecord(bytes: Buffer): { meta: unknown; payload: Uint8Array } | undefined {
  if (bytes.length < 8 + CHECKSUM_LEN || bytes.toString('latin1', 0, 4) !== ENTRY_MAGIC) return undefined;
  const body = bytes.subarray(0, bytes.length - CHECKSUM_LEN);
  if (!sha256Bytes(body).equals(bytes.subarray(body.length))) return undefined;
  const metaLen = body.readUInt32LE(4);
  if (8 + metaLen > body.length) return undefined;
  const meta = JSON.parse(body.toString('utf8', 8, 8 + metaLen)) as unknown;
  return { meta, payload: new Uint8Array(body.subarray(8 + metaLen)) };
}

/** A cached result as a record: the BTF is the payload. */
function encodeEntry(result: CachedResult): Uint8Array {
  const { btf, ...meta } = result.status === 'covered' ? result : { ...result, btf: new Uint8Array(0) };
  return encodeRecord(meta, btf);
}

/** A cached result from a record, or undefined. */
function decodeEntry(bytes: Buffer): CachedResult | undefined {
  const record = decodeRecord(bytes);
  if (!record) return undefined;
  const meta = record.meta as CachedResult;
  if (meta.status === 'failed') return meta;
  return { ...meta, btf: record.payload };
}

/** What the source index remembers about a kernel file, to skip decompressing it when it did not change. */
interface SourceRecord {
  path: string;
  identity: FileIdentity;
  sourceHash: string;
  sourceBytes: number;
}

/** A kernel's content hash and raw BTF size, as the source index gives them. */
export type SourceFacts = Pick<SourceRecord, 'sourceHash' | 'sourceBytes'>;

/** What the file index remembers about a file (an object): its contents' sha256 while its identity holds. */
interface FileHashRecord {
  path: string;
  identity: FileIdentity;
  sha256: string;
}

/**
 * An on-disk, content-addressed cache of minimization results, safe to share between concurrent builds (every
 * write is atomic) and between worker threads. Entries carry a checksum: a corrupted entry reads as a miss and
 * is deleted. A source index maps a kernel file's path and identity to its BTF content hash, so a hit on an
 * unchanged `.btf.tar.xz` needs no decompression; a file index maps an object's path and identity to its sha256,
 * so an unchanged object is not read again to fingerprint a build.
 */
export class BuildCache {
  /** Absolute cache directory. */
  readonly dir: string;

  /** A cache rooted at `dir` (created on first write). */
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Per-kernel results live under `entries/`, whole-build records under `builds/`; both are evicted alike. */
  private entryPath(key: string, kind: 'entries' | 'builds' = 'entries'): string {
    return join(this.dir, kind, key.slice(0, 2), `${key}.bin`);
  }

  /** Where an index (`sources/`, `files/`) keeps its record of the file at `path`. */
  private indexPath(index: 'sources' | 'files', path: string): string {
    return join(this.dir, index, `${sha256Hex(resolve(path))}.json`);
  }

  /** The entry bytes for `key` decoded by `decode`, or undefined (missing or corrupted: then it is removed). */
  private async read<T>(path: string, decode: (bytes: Buffer) => T | undefined): Promise<T | undefined> {
    const bytes = await readCacheFile(path);
    if (!bytes) return undefined;
    const entry = decode(bytes);
    if (entry === undefined) {
      await rm(path, { force: true });
      return undefined;
    }
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined); // recency for eviction; racing an eviction is harmless
    return entry;
  }

  /** The cached result for `key`, or undefined (missing or corrupted: a corrupted entry is removed). */
  get(key: string): Promise<CachedResult | undefined> {
    return this.read(this.entryPath(key), decodeEntry);
  }

  /** Store `result` under `key`. */
  async put(key: string, result: CachedResult): Promise<void> {
    await writeFileAtomic(this.entryPath(key), encodeEntry(result));
  }

  /** A record stored with {@link putRecord} (metadata and payload), or undefined. Evicted like the results. */
  getRecord(key: string): Promise<{ meta: unknown; payload: Uint8Array } | undefined> {
    return this.read(this.entryPath(key, 'builds'), decodeRecord);
  }

  /** Store `meta` (JSON) and `payload` under `key`, checksummed like a result. */
  async putRecord(key: string, meta: unknown, payload: Uint8Array): Promise<void> {
    await writeFileAtomic(this.entryPath(key, 'builds'), encodeRecord(meta, payload));
  }

  /**
   * The remembered content hash and raw size of the kernel file at `path`, if `stats` (taken now) give the identity
   * it was remembered with.
   */
  async sourceHash(path: string, stats: BigIntStats): Promise<SourceFacts | undefined> {
    const record = (await this.identityRecord('sources', path, fileIdentity(stats))) as
      | SourceRecord
      | undefined;
    return record && { sourceHash: record.sourceHash, sourceBytes: record.sourceBytes };
  }

  /**
   * Remember the content hash and raw size of the kernel file at `path`, read after a stat at `statAtMs`
   * (`Date.now()` before it) gave `stats`; nothing is remembered when that identity is racy (`isRacy`).
   */
  async setSourceHash(path: string, stats: BigIntStats, statAtMs: number, facts: SourceFacts): Promise<void> {
    if (isRacy(stats, statAtMs)) return;
    await this.setIdentityRecord('sources', path, fileIdentity(stats), facts);
  }

  /**
   * The sha256 of the whole file at `path` remembered with {@link setFileHash} for `identity`, or undefined (none,
   * another identity, unreadable). The caller asks only with an identity that is not racy (`util/file-identity.ts`).
   */
  async fileHash(path: string, identity: FileIdentity): Promise<string | undefined> {
    const record = (await this.identityRecord('files', path, identity)) as FileHashRecord | undefined;
    return typeof record?.sha256 === 'string' ? record.sha256 : undefined;
  }

  /** Remember that the file at `path` with `identity` (not racy) has the contents hashed as `sha256`. */
  async setFileHash(path: string, identity: FileIdentity, sha256: string): Promise<void> {
    await this.setIdentityRecord('files', path, identity, { sha256 });
  }

  /**
   * The record of index `kind` for the file at `path`, if it was stored for that path with `identity`; undefined
   * when there is none, it is unreadable or it stands for another identity.
   */
  private async identityRecord(
    kind: 'sources' | 'files',
    path: string,
    identity: FileIdentity,
  ): Promise<Record<string, unknown> | undefined> {
    const text = (await readCacheFile(this.indexPath(kind, path)))?.toString('utf8');
    if (text === undefined) return undefined;
    try {
      const record = JSON.parse(text) as Record<string, unknown>;
      return record.path === resolve(path) && record.identity === identity ? record : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores `facts` in index `kind` for the file at `path` with `identity`. */
  private async setIdentityRecord(
    kind: 'sources' | 'files',
    path: string,
    identity: FileIdentity,
    facts: object,
  ): Promise<void> {
    await writeFileAtomic(
      this.indexPath(kind, path),
      JSON.stringify({ path: resolve(path), identity, ...facts }),
    );
  }

  /**
   * Remove least recently used entries and build records until they take at most `maxBytes`. Returns what was
   * removed.
   * Safe to run while another build uses the cache (that build then recomputes what it misses).
   */
  async evict(maxBytes: number): Promise<{ removed: number; bytes: number }> {
    const files: { path: string; size: number; mtimeMs: number }[] = [];
    for (const root of [join(this.dir, 'entries'), join(this.dir, 'builds')]) {
      for (const shard of await readdir(root).catch(() => [])) {
        for (const name of await readdir(join(root, shard)).catch(() => [])) {
          const path = join(root, shard, name);
          const info = await stat(path).catch(() => undefined);
          if (info?.isFile()) files.push({ path, size: info.size, mtimeMs: info.mtimeMs });
        }
      }
    }
    let total = files.reduce((sum, f) => sum + f.size, 0);
    files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : 1));
    let removed = 0;
    let bytes = 0;
    for (const f of files) {
      if (total <= maxBytes) break;
      await rm(f.path, { force: true });
      total -= f.size;
      removed++;
      bytes += f.size;
    }
    return { removed, bytes };
  }
}
