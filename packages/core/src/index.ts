export { runKernelTasks } from './batch/pool.js';
export type { KernelOutcome, KernelTask } from './batch/task.js';
export {
  Btf,
  isComposite,
  isEnum,
  isMod,
  isModOrTypedef,
  kindCoreCompat,
  type ParseBtfOptions,
} from './btf/btf.js';
export {
  type BtfExt,
  type CoreRelo,
  type FuncInfo,
  type InfoGroup,
  type LineInfo,
  parseBtfExt,
} from './btf/ext.js';
export * from './btf/format.js';
export { IndexBuffer } from './btf/parse.js';
export { BtfWriter } from './btf/writer.js';
export { BuildFailedError, buildBundle } from './build/build.js';
export { ANY_ARCH, archOfObjectName, expandObjectGlobs, resolveObjects } from './build/objects.js';
export {
  BUILD_OPTIONS,
  type BuildOptionKind,
  type BuildOptionName,
  type BuildOptionSpec,
  buildOption,
  checkBuildOption,
  checkChoice,
} from './build/option-schema.js';
export type * from './build/types.js';
export type { BuildResult } from './build/types.js';
export { BuildCache, cacheKey, DEFAULT_CACHE_DIR } from './cache/cache.js';
export { Elf, type ElfFile, type ElfSection, isElf, readElf } from './elf/elf.js';
export * from './errors.js';
export {
  type MinimizeMode,
  type MinimizeOptions,
  type MinimizeResult,
  minimizeBtf,
  type ObjectRelocationSummary,
} from './minimize/minimize.js';
export {
  type BpfObject,
  type ObjectBtf,
  type ObjectSections,
  parseBpfObject,
  parseObjectSections,
  readBpfObject,
} from './object.js';
export { relocationSignature } from './object-signature.js';
export { checkOutputs, GuardedInputs, type GuardedPath, OutputPathError } from './output-guard.js';
export type { ReloResult } from './relo/calc.js';
export { essentialName, essentialNameLength, namesMatch } from './relo/names.js';
export {
  type CandidateCache,
  CoreResolver,
  type RelocationOutcome,
  type ResolveObjectOptions,
  type UnprunedOutcome,
} from './relo/resolver.js';
export { type Accessor, type CoreSpec, formatSpec, parseLocalSpec } from './relo/spec.js';
export { type ReportFiles, writeReportFiles } from './report/files.js';
export { renderHtmlReport } from './report/html.js';
export type { RelocationVerdict } from './report/relocations.js';
export type { BuildReport, BuildStats, KernelReport } from './report/report.js';
export { formatReport } from './report/table.js';
export {
  checkoutGitSnapshot,
  GIT_SNAPSHOT_PREFIX,
  type GitSnapshot,
  GitSnapshotError,
  type GitSnapshotOptions,
  type GitSnapshotSpec,
  parseGitSnapshot,
  selectKernelPaths,
} from './snapshot/git.js';
export { KernelBuffer, MAX_KERNEL_BTF_BYTES, readKernelBtf } from './snapshot/input.js';
export { parseKernelPath, scanSnapshot } from './snapshot/scan.js';
