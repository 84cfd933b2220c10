import { rmSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { release as osRelease, tmpdir } from 'node:os';
import { join } from 'node:path';
import { wrapBtfInElf } from './elf.js';
import { BundleUsageError, describeValue, InvalidKernelKeyError } from './errors.js';
import { checkKeyPart } from './kernel/key.js';
import { optionsOf } from './options.js';

/** Options of {@link writeBtfFile}. */
export interface WriteBtfOptions {
  /** Parent directory (a string) of the private temp directory. Default `os.tmpdir()`. */
  parent?: string;
  /** Write an ELF file with a `.BTF` section named `vmlinux-<release>` instead of raw `vmlinux.btf`. */
  elf?: boolean;
  /** Kernel release for the ELF file name. Default `os.release()`; rejected unless a string and a safe file name. */
  release?: string;
  /** Keep the directory when the process exits (default: it is removed at exit). */
  keep?: boolean;
}

const removeAtExit = new Set<string>();

/** Signals that end a process by default and after which the temp directories must not stay behind. */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeAll(): void {
  for (const dir of removeAtExit) rmSync(dir, { recursive: true, force: true });
  removeAtExit.clear();
}

/**
 * On a signal nobody else listens to, remove the directories and end the process by that same signal, as it would
 * have ended without us. When the application has its own listener, it decides: if it exits, the exit hook
 * removes the directories; if it goes on, they are still there for it.
 */
function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return;
  removeAll();
  unhook();
  process.kill(process.pid, signal);
}

let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAll);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function unhook(): void {
  hooked = false;
  process.off('exit', removeAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/**
 * Writes BTF bytes into a fresh private directory (`fs.mkdtemp`, mode 0700; file mode 0600) and returns the
 * file path, for libbpf's `btf_custom_path` or cilium/ebpf. The directory is removed when the process exits, and
 * on SIGINT, SIGTERM or SIGHUP when the application does not handle that signal itself (the process then ends by
 * the signal as it would have); not with `keep`. A caller done with it earlier may remove it itself.
 * Throws {@link BundleUsageError} when `btf` is not a `Uint8Array` (a `Buffer` is one) or `{ bytes: Uint8Array }`
 * (a `findBtf` result), or `parent` is not a string; {@link InvalidKernelKeyError} for a release that is not a
 * string, or contains `/`, `..`, NUL or other unsafe characters.
 */
export async function writeBtfFile(
  btf: Uint8Array | { bytes: Uint8Array },
  value?: WriteBtfOptions,
): Promise<string> {
  const options = optionsOf(value, 'writeBtfFile: options');
  const bytes = btf instanceof Uint8Array ? btf : (btf as { bytes?: unknown } | null)?.bytes;
  if (!(bytes instanceof Uint8Array)) {
    const what =
      typeof btf === 'object' && btf !== null
        ? `an object whose bytes are ${describeValue(bytes)}`
        : describeValue(btf);
    throw new BundleUsageError(`writeBtfFile: btf is ${what}, not a Uint8Array or { bytes: Uint8Array }`);
  }
  let name = 'vmlinux.btf';
  if (options.elf) {
    // Read once: a getter or a changing toString must not give a checked value and then another one.
    const release: unknown = options.release ?? osRelease();
    if (typeof release !== 'string')
      throw new InvalidKernelKeyError(
        `writeBtfFile: options.release is ${describeValue(release)}, not a string`,
      );
    checkKeyPart('release', release);
    name = `vmlinux-${release}`;
  }
  const parent: unknown = options.parent ?? tmpdir();
  if (typeof parent !== 'string')
    throw new BundleUsageError(`writeBtfFile: options.parent is ${describeValue(parent)}, not a string`);
  const dir = await mkdtemp(join(parent, 'btf-bundle-'));
  if (!options.keep) {
    hook();
    removeAtExit.add(dir);
  }
  await chmod(dir, 0o700);
  const path = join(dir, name);
  await writeFile(path, options.elf ? wrapBtfInElf(bytes) : bytes, { mode: 0o600, flag: 'wx' });
  return path;
}
