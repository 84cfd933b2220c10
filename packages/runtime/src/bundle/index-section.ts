import { BtfRuntimeError, BundleCorruptError } from '../errors.js';
import { ByteReader } from '../format/reader.js';
import { KEY_PART_CLASS, MAX_KEY_PART } from '../kernel/key.js';

/** An eBPF object file the bundle was built for. */
export interface BundleObject {
  /** File name of the object, e.g. `probe.bpf.o`. */
  name: string;
  /** Lower-case hex SHA-256 of the object's bytes. */
  sha256: string;
}

/** The index's tail: what a lookup does not need. */
export interface IndexTail {
  /** Kernels the build could not produce a BTF for, with the reason. */
  failed: Map<string, string>;
  /** The objects the BTFs were minimised for. */
  objects: BundleObject[];
  /** Build metadata (tool name, version and minimizer mode); never timestamps. */
  meta: Record<string, unknown>;
}

/** The kernels of one `distro/version/arch` group, decoded. */
export interface IndexGroup {
  /** Bundle order number of the group's first kernel. */
  first: number;
  /** `uname -r` of each kernel of the group, in bundle order. */
  releases: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Throws a corruption error naming the payload offset `at` (where the faulty field starts). */
function fail(message: string, at: number): never {
  throw new BundleCorruptError(`bundle index: ${message} (index offset ${at})`);
}

function text(r: ByteReader, what: string): string {
  const at = r.pos;
  try {
    return utf8.decode(r.cstring());
  } catch (e) {
    if (e instanceof BtfRuntimeError) throw e;
    return fail(`${what} is not valid UTF-8`, at);
  }
}

/** One id part: a safe key component (see `checkKeyPart`), not `.` or `..`. */
const PART = String.raw`(?!\.\.?(?:[/\n]|$))[${KEY_PART_CLASS}]{1,${MAX_KEY_PART}}`;
/** Newline-terminated id parts, checked in one native regex pass. */
const PARTS = new RegExp(`^(?:${PART}\n)*$`);
/** Newline-terminated `distro/version/arch/release` ids. */
const IDS = new RegExp(`^(?:${PART}/${PART}/${PART}/${PART}\n)*$`);

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Width in bytes of each `blobOf` entry for `blobCount` blobs. */
export function blobIndexWidth(blobCount: number): 1 | 2 | 4 {
  return blobCount <= 0x100 ? 1 : blobCount <= 0x10000 ? 2 : 4;
}

/**
 * The index section (layout in docs/bundle-format.md), read lazily: opening it reads the counts, the group table
 * and the blob sizes; an exact lookup then searches its own group's releases as stored and reads one `blobOf`
 * entry; a group's releases are decoded (and validated) when they are listed, and the full kernel list, the
 * failed kernels, the objects and the meta on first use. {@link checkAll} validates everything at once. Every
 * failure is a typed {@link BundleCorruptError} naming the index offset (or a truncation error).
 */
export class BundleIndex {
  /** Number of kernels with a BTF. */
  readonly kernelCount: number;
  /** Byte size of each distinct blob. */
  readonly blobSizes: number[];
  private readonly bytes: Uint8Array;
  /** Group prefix (`distro/version/arch`) → group number. */
  private readonly groupOf = new Map<string, number>();
  private readonly groupPrefix: string[] = [];
  private readonly groupFirst: number[] = [];
  /** Payload range of each group's releases. */
  private readonly groupAt: number[] = [];
  private readonly groupEnd: number[] = [];
  private readonly groups = new Map<number, IndexGroup>();
  /** Kernel id → bundle order number, for the ids found so far. */
  private readonly ordinals = new Map<string, number>();
  private readonly blobOfAt: number;
  private readonly blobWidth: number;
  private readonly tailAt: number;
  private kernelIds: string[] | undefined;
  private tailParts: IndexTail | undefined;

  /** Reads the header of the (inflated) index section `bytes`. */
  constructor(bytes: Uint8Array) {
    const r = new ByteReader(bytes, 'bundle index');
    this.bytes = bytes;
    const kernelCount = r.count(r.remaining, 'kernel count');
    const blobCount = r.count(r.remaining, 'blob count');
    if (kernelCount > 0 && blobCount === 0) fail(`${kernelCount} kernels but no blobs`, 0);
    const groupCount = r.count(kernelCount, 'group count');
    let first = 0;
    const groupBytes: number[] = [];
    for (let g = 0; g < groupCount; g++) {
      const at = r.pos;
      const prefix = text(r, 'group prefix');
      if (this.groupOf.has(prefix)) fail(`group ${prefix} listed twice`, at);
      const entries = r.count(kernelCount - first, 'group size');
      if (entries === 0) fail(`group ${prefix} is empty`, at);
      this.groupOf.set(prefix, g);
      this.groupPrefix.push(prefix);
      this.groupFirst.push(first);
      groupBytes.push(r.count(r.remaining, 'group bytes'));
      first += entries;
    }
    if (first !== kernelCount) fail(`groups hold ${first} kernels, ${kernelCount} declared`, 0);
    for (let g = 0; g < groupCount; g++) {
      this.groupAt.push(r.pos);
      r.take(groupBytes[g]!);
      this.groupEnd.push(r.pos);
    }
    this.kernelCount = kernelCount;
    this.blobWidth = blobIndexWidth(blobCount);
    this.blobOfAt = r.pos;
    r.take(kernelCount * this.blobWidth);
    const blobSizes: number[] = new Array(blobCount);
    for (let i = 0; i < blobCount; i++) blobSizes[i] = r.varint();
    this.blobSizes = blobSizes;
    this.tailAt = r.pos;
  }

  /** The blob number of kernel `i` (bundle order), range-checked. */
  blobOf(i: number): number {
    const at = this.blobOfAt + i * this.blobWidth;
    const b = this.bytes;
    const w = this.blobWidth;
    const blob =
      w === 1
        ? b[at]!
        : w === 2
          ? b[at]! | (b[at + 1]! << 8)
          : new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0, true);
    if (blob >= this.blobSizes.length) fail(`kernel ${i}: blob index ${blob} out of range`, at);
    return blob;
  }

  /** The kernels of group `distro/version/arch`, decoded and validated on first use; undefined when absent. */
  group(prefix: string): IndexGroup | undefined {
    const g = this.groupOf.get(prefix);
    if (g === undefined) return undefined;
    let group = this.groups.get(g);
    if (!group) {
      group = this.readGroup(g);
      this.groups.set(g, group);
    }
    return group;
  }

  /**
   * Bundle order number of kernel `id`, or undefined. Its group's releases are searched as stored (see
   * {@link findRelease}) unless the group is already decoded; the ids found are remembered.
   */
  ordinal(id: string): number | undefined {
    const known = this.ordinals.get(id);
    if (known !== undefined) return known;
    const cut = id.lastIndexOf('/');
    const g = this.groupOf.get(id.slice(0, cut));
    if (g === undefined) return undefined;
    const release = id.slice(cut + 1);
    const i = this.groups.get(g)?.releases.indexOf(release) ?? this.findRelease(g, release);
    if (i < 0) return undefined;
    const ordinal = this.groupFirst[g]! + i;
    this.ordinals.set(id, ordinal);
    return ordinal;
  }

  /**
   * Group `g`'s stored releases: the length each shares with the previous one (one per kernel of the group), and a
   * reader over the group left at their joined rests.
   */
  private groupReleases(g: number): { r: ByteReader; shared: Uint32Array } {
    const count = (this.groupFirst[g + 1] ?? this.kernelCount) - this.groupFirst[g]!;
    const r = new ByteReader(
      this.bytes,
      `bundle group ${this.groupPrefix[g]}`,
      this.groupAt[g]!,
      this.groupEnd[g]!,
    );
    const shared = new Uint32Array(count);
    for (let i = 0; i < count; i++) shared[i] = r.varint();
    return { r, shared };
  }

  /**
   * Where `release` is among group `g`'s releases, or -1, compared with the front-coded releases as stored rather
   * than decoded (a lookup in a fresh process then allocates next to nothing here): `matched` is how many
   * characters `release` shares with the previous release, so a release that shares more than that with its
   * predecessor differs from it where the predecessor did, and only the others' rests are compared. Only ASCII
   * bytes above "\n" match (every valid release is made of them; "\n" separates the rests and a NUL ends them),
   * no byte outside the group is read, and the group's other releases are left unchecked: they are validated when
   * the group is listed ({@link group}), while the one found here is `release` itself.
   */
  private findRelease(g: number, release: string): number {
    const bytes = this.bytes;
    const end = this.groupEnd[g]!;
    const { r, shared } = this.groupReleases(g);
    const count = shared.length;
    let matched = 0;
    for (let i = 0, p = r.pos; i < count && p < end; i++, p++) {
      let k = shared[i]!;
      if (k <= matched) {
        for (; p < end && k < release.length; k++, p++) {
          const b = bytes[p]!;
          if (b !== release.charCodeAt(k) || b <= 0x0a || b >= 0x80) break;
        }
        matched = k;
        if (k === release.length && p < end && (bytes[p] === 0x0a || bytes[p] === 0)) return i;
      }
      while (p < end && bytes[p] !== 0x0a && bytes[p] !== 0) p++;
    }
    return -1;
  }

  /** Every kernel id, in bundle order (decoded and validated on first use). */
  kernels(): string[] {
    if (this.kernelIds) return this.kernelIds;
    const ids: string[] = [];
    this.groupPrefix.forEach((prefix) => {
      for (const release of this.group(prefix)!.releases) ids.push(`${prefix}/${release}`);
    });
    this.kernelIds = ids;
    return ids;
  }

  /** The failed kernels, objects and meta (decoded and validated on first use). */
  tail(): IndexTail {
    this.tailParts ??= this.readTail();
    return this.tailParts;
  }

  /** Decodes and validates everything: all ids (each once among kernels and failed), every blobOf, the tail. */
  checkAll(): void {
    const seen = new Set<string>();
    const once = (id: string) => {
      if (seen.has(id)) fail(`kernel ${id} listed twice`, 0);
      seen.add(id);
    };
    this.kernels().forEach(once);
    for (let i = 0; i < this.kernelCount; i++) this.blobOf(i);
    this.tail().failed.forEach((_, id) => {
      once(id);
    });
  }

  /** Group `g`'s releases: each one's prefix length shared with the previous (varints), then the rests as one text. */
  private readGroup(g: number): IndexGroup {
    const first = this.groupFirst[g]!;
    const prefix = this.groupPrefix[g]!;
    const { r, shared } = this.groupReleases(g);
    const count = shared.length;
    const at = r.pos;
    const releases = text(r, 'releases').split('\n');
    if (r.remaining !== 0) fail(`group ${prefix}: ${r.remaining} unused bytes`, r.pos);
    if (releases.length !== count)
      fail(`group ${prefix}: ${releases.length} releases, ${count} declared`, at);
    let prev = '';
    for (let i = 0; i < count; i++) {
      if (shared[i]! > prev.length) fail(`group ${prefix} release ${i}: prefix longer than the previous`, at);
      prev = prev.slice(0, shared[i]) + releases[i];
      releases[i] = prev;
    }
    // The prefix's three parts and every release in one pass of one regular expression (a second one would
    // have it compiled to machine code, which a cold process does not recover).
    const parts = prefix.split('/');
    if (parts.length !== 3 || !PARTS.test(`${parts.join('\n')}\n${releases.join('\n')}\n`))
      this.invalidNames(g, at);
    return { first, releases };
  }

  /** Throws for group `g` whose prefix or releases (at index offset `at`) are not valid id parts. */
  private invalidNames(g: number, at: number): never {
    const prefix = this.groupPrefix[g]!;
    const parts = prefix.split('/');
    if (parts.length !== 3 || !PARTS.test(`${parts.join('\n')}\n`))
      fail(`group ${g}: prefix is not distro/version/arch`, this.groupAt[g]!);
    return fail(`group ${prefix}: invalid release names`, at);
  }

  private readTail(): IndexTail {
    const r = new ByteReader(this.bytes, 'bundle index tail', this.tailAt);
    const failedCount = r.count(r.remaining, 'failed count');
    const failed = new Map<string, string>();
    const idsAt = r.pos;
    // The failed ids as one newline-separated text (absent when there are none).
    const ids = failedCount === 0 ? [] : text(r, 'failed ids').split('\n');
    if (failedCount > 0 && (ids.length !== failedCount || !IDS.test(`${ids.join('\n')}\n`)))
      fail('failed kernel ids: not distro/version/arch/release lines', idsAt);
    for (const id of ids) {
      if (failed.has(id)) fail(`kernel ${id} listed twice`, idsAt);
      failed.set(id, text(r, 'failure reason'));
    }
    const objects: BundleObject[] = [];
    const objectCount = r.count(r.remaining, 'object count');
    for (let i = 0; i < objectCount; i++)
      objects.push({ name: text(r, 'object name'), sha256: hex(r.take(32)) });
    let meta: unknown;
    const metaAt = r.pos;
    try {
      meta = JSON.parse(text(r, 'meta'));
    } catch (e) {
      if (e instanceof BtfRuntimeError) throw e;
      fail('meta is not valid JSON', metaAt);
    }
    if (!isObject(meta)) fail('meta must be an object', metaAt);
    if (r.remaining !== 0) fail(`${r.remaining} unused bytes after the meta`, r.pos);
    return { failed, objects, meta };
  }
}
