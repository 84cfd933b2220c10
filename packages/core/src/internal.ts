/**
 * Internals of `@btf-bundle/core` shared with `unplugin-btf-bundle`, the tests and the benchmarks, exported as
 * `@btf-bundle/core/internal`. Not a stable API; users import the main entry.
 */

/** Runs kernel tasks on worker threads (and optionally the main thread) and collects their outcomes. */
export { runKernelTasks } from './batch/pool.js';
/** One kernel's minimization task and its outcome. */
export type { KernelOutcome, KernelTask } from './batch/task.js';
/**
 * The `objects` key that applies to every arch; an object file's bytes (as a regular file of bounded size), and
 * those bytes parsed, read again once settled when the file was being written as it was read.
 */
export { ANY_ARCH, readBpfObjectFile, readObjectFile } from './build/objects.js';
/** The build options the CLI and the plugin share: names, kinds and checks. */
export {
  BUILD_OPTIONS,
  type BuildOptionKind,
  type BuildOptionName,
  type BuildOptionSpec,
  buildOption,
  checkBuildOption,
  checkChoice,
} from './build/option-schema.js';
/** The inputs of a build in a local snapshot, for the output guard. */
export { localSnapshotInputs } from './cli/build-paths.js';
/** libbpf's essential name of a type or field (the name without a `___flavor` suffix). */
export { essentialName } from './relo/names.js';
/** Parses a `git+URL[#REF]` snapshot (`undefined` for a directory); lists and checks out its kernel files. */
export {
  checkoutGitSnapshot,
  type GitSnapshotSpec,
  parseGitSnapshot,
  selectKernelPaths,
} from './snapshot/git.js';
/** Hides the credentials of the URLs in a message (`https://user:***@host/…`). */
export { redactUrlCredentials } from './snapshot/git-url.js';
/** Lists a snapshot's kernel BTF files. */
export { type ScanOptions, type SnapshotKernel, type SnapshotScan, scanSnapshot } from './snapshot/scan.js';
/** Writes an output atomically, or to standard output for `-`. */
export { writeOutputFile } from './util/atomic-write.js';
/** The one sha256 helper of the packages: hex, or the 32 bytes. */
export { sha256Bytes, sha256Hex } from './util/sha256.js';
