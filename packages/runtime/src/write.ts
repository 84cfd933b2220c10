import { rmSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { release as osRelease, tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapBtfInElf } from './elf.js';
import { checkKeyPart } from './kernel/key.js';

/** Options of {@link writeBtfFile}. */
export interface WriteBtfOptions {
  /** Parent directory of the private temp directory. Default `os.tmpdir()`. */
  parent?: string;
  /** Write an ELF file with a `.BTF` section named `vmlinux-<release>` instead of raw `vmlinux.btf`. */
  elf?: boolean;
  /** Kernel release for the ELF file name. Default `os.release()`; rejected if not a safe file name. */
  release?: string;
  /** Keep the directory when the process exits (default: it is removed at exit). */
  keep?: boolean;
}

const removeAtExit = new Set<string>();

function removeAll(): void {
  for (const dir of removeAtExit) rmSync(dir, { recursive: true, force: true });
  removeAtExit.clear();
}

/**
 * Writes BTF bytes into a fresh private directory (`fs.mkdtemp`, mode 0700; file mode 0600) and returns the
 * file path, for libbpf's `btf_custom_path` or cilium/ebpf. The directory is removed when the process exits
 * (unless `keep`); a caller done with it earlier may remove it itself.
 * Throws {@link InvalidKernelKeyError} for a release containing `/`, `..`, NUL or other unsafe characters.
 */
export async function writeBtfFile(
  btf: Uint8Array | { bytes: Uint8Array },
  options: WriteBtfOptions = {},
): Promise<string> {
  const bytes = btf instanceof Uint8Array ? btf : btf.bytes;
  let name = 'vmlinux.btf';
  if (options.elf) {
    const release = options.release ?? osRelease();
    checkKeyPart('release', release);
    name = `vmlinux-${release}`;
  }
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), 'btf-bundle-'));
  if (!options.keep) {
    if (removeAtExit.size === 0) process.once('exit', removeAll);
    removeAtExit.add(dir);
  }
  await chmod(dir, 0o700);
  const path = join(dir, name);
  await writeFile(path, options.elf ? wrapBtfInElf(bytes) : bytes, { mode: 0o600, flag: 'wx' });
  return path;
}
