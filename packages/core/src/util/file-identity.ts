import type { BigIntStats } from 'node:fs';

/**
 * What `stat` says of a file, as one string: device, inode, size, and modification and change times in
 * nanoseconds. Any write to the file, `touch` or rename over it gives another identity (the change time is set by
 * the kernel to the current time and cannot be set back), unless the file changes within the same tick of the
 * file system's clock as the stat that took the identity: see {@link isRacy}.
 */
export type FileIdentity = string;

/** The identity of a file from its `stat(path, { bigint: true })`. */
export function fileIdentity(stats: BigIntStats): FileIdentity {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/** How long after a file's last change its identity is trusted on a file system with sub-second timestamps. */
const FINE_MARGIN_NS = 100_000_000n;
/** The same on a file system whose timestamps are whole seconds (2 s granularity on FAT, 1 s on old ext, NFS). */
const COARSE_MARGIN_NS = 3_000_000_000n;
const SECOND_NS = 1_000_000_000n;

/**
 * Whether an identity taken by a stat at `statAtMs` (`Date.now()` read just before the stat) cannot vouch for the
 * contents: the file's last change (or a modification time set ahead) is not safely older than the stat, so a
 * write right after the stat could land in the same clock tick and leave the identity unchanged. This is git's
 * "racily clean" entry. A racy identity must not be recorded as standing for the contents; the file is read
 * instead. The margin covers the file system's timestamp granularity (whole-second timestamps get a wider one)
 * and the lag of the kernel's coarse clock behind `Date.now()`.
 */
export function isRacy(stats: BigIntStats, statAtMs: number): boolean {
  const coarse = stats.ctimeNs % SECOND_NS === 0n && stats.mtimeNs % SECOND_NS === 0n;
  const safeBefore = BigInt(Math.floor(statAtMs)) * 1_000_000n - (coarse ? COARSE_MARGIN_NS : FINE_MARGIN_NS);
  return stats.ctimeNs >= safeBefore || stats.mtimeNs >= safeBefore;
}
