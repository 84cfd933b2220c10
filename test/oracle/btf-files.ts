/**
 * Test-only helpers for kernel BTF inputs of the oracles: BTFHub ships kernels as
 * `<release>.btf.tar.xz` archives holding one `<release>.btf` member, while bpftool and
 * libbpf want a raw BTF (or ELF) file. Extraction shells out to the system `tar`. Also: temporary
 * directories and BTF files removed after each test file, and the listing of kernel (or object) files under a directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

const extracted = new Map<string, string>();
const tempDirs: string[] = [];

// Removed after the test file that imported this module (a process 'exit' hook never runs in vitest's
// workers, which are killed, so every run used to leave these directories behind).
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  extracted.clear();
  tempBtfDir = undefined;
});

/** Creates a private temporary directory that is removed after the test file that asked for it. */
export function oracleTempDir(prefix = 'btf-bundle-oracle-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

let tempBtfDir: string | undefined;
let tempBtfCount = 0;

/**
 * Writes `bytes` (a reduced BTF for libbpf, say) to a new file in a private temporary directory (removed
 * after the test file) and returns its path.
 */
export function writeTempBtf(bytes: Uint8Array): string {
  tempBtfDir ??= oracleTempDir('btf-bundle-oracle-btf-');
  const path = join(tempBtfDir, `${tempBtfCount++}.btf`);
  writeFileSync(path, bytes);
  return path;
}

/**
 * Extracts a BTFHub `.btf.tar.xz` archive with `tar -xJf` into a temporary directory and
 * returns the path of its single `.btf` member. Results are cached per archive for the
 * test file (the directory is removed after it). Throws if the archive does
 * not hold exactly one `.btf` file.
 */
export function extractBtfTarXz(archivePath: string): string {
  const abs = resolve(archivePath);
  const cached = extracted.get(abs);
  if (cached !== undefined) return cached;
  const dir = oracleTempDir('btf-bundle-oracle-kernel-');
  execFileSync('tar', ['-xJf', abs, '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const members = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.btf'));
  if (members.length !== 1 || members[0] === undefined) {
    throw new Error(`${archivePath}: expected exactly one .btf member, found ${members.length}`);
  }
  const path = join(dir, members[0]);
  extracted.set(abs, path);
  return path;
}

/** Every file under `dir` (recursively) whose name ends in `suffix`, as sorted paths; none if `dir` does not exist. */
export function filesUnder(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f))
    .sort();
}

/** Returns a raw BTF path for `path`: extracts `.tar.xz` archives, passes anything else through. */
export function rawBtfPath(path: string): string {
  return path.endsWith('.tar.xz') ? extractBtfTarXz(path) : path;
}
