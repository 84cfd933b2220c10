/**
 * @btf-bundle/core: ELF, BTF and `.BTF.ext` readers, a BTF writer, a CO-RE resolver with libbpf's semantics, a
 * BTFGen minimizer, and `buildBundle`, which minimizes a BTFHub snapshot for a set of objects into one bundle.
 * Pieces the CLI, `unplugin-btf-bundle`, the tests and the benchmarks share are exported from
 * `@btf-bundle/core/internal`, which is not a stable API.
 */

/** A validated, lazily decoded view of one BTF blob. */
export { Btf, type ParseBtfOptions } from './btf/btf.js';
/** `.BTF.ext`: func_info, line_info and CO-RE relocations. */
export {
  type BtfExt,
  type CoreRelo,
  type FuncInfo,
  type InfoGroup,
  type LineInfo,
  parseBtfExt,
} from './btf/ext.js';
/** BTF kinds and CO-RE relocation kinds, with libbpf's names for them. */
export {
  Kind,
  type KindNumber,
  kindName,
  ReloKind,
  type ReloKindNumber,
  reloKindName,
} from './btf/format.js';
/** Writes BTF in bpftool's byte layout. */
export { BtfWriter } from './btf/writer.js';
/** Minimizes a snapshot's kernel BTFs for a set of objects into one bundle (plus coverage report and stats). */
export { BuildFailedError, buildBundle } from './build/build.js';
/** Expands object globs as the CLI does. */
export { expandObjectGlobs } from './build/objects.js';
/** `buildBundle`'s options and result. */
export type {
  BuildBundleOptions,
  BuildProgress,
  BuildResult,
  FailOn,
  KernelKey,
  ObjectsOption,
} from './build/types.js';
/** ELF files: sections by name and symbols. */
export { type ElfFile, type ElfSection, type ElfSymbol, readElf } from './elf/elf.js';
/** Every error core throws (one base shared with `@btf-bundle/runtime`) and one-line formatting. */
export {
  BtfBundleError,
  type CoreErrorCode,
  CoreRelocationError,
  type ErrorPlace,
  FormatError,
  formatError,
  MinimizeError,
  UsageError,
} from './errors.js';
/** Minimizes one kernel's BTF for a set of objects, like `bpftool gen min_core_btf`. */
export {
  type MinimizeMode,
  type MinimizeOptions,
  type MinimizeResult,
  minimizeBtf,
  type ObjectRelocationSummary,
} from './minimize/minimize.js';
/** A clang-built `.bpf.o`: its ELF, `.BTF` and `.BTF.ext`. */
export { type BpfObject, parseBpfObject, readBpfObject } from './object.js';
/** Refuses outputs that would write over an input. */
export {
  type CheckOutputsOptions,
  checkOutputs,
  GuardedInputs,
  type GuardedPath,
  OutputPathError,
} from './output-guard.js';
/** What a resolved relocation patches. */
export type { ReloResult } from './relo/calc.js';
/** Resolves an object's CO-RE relocations against a kernel as libbpf does. */
export {
  type CandidateCache,
  CoreResolver,
  type RelocationOutcome,
  type ResolveObjectOptions,
  type UnprunedOutcome,
} from './relo/resolver.js';
/** A relocation's accessor spec and libbpf's way of printing it. */
export { type Accessor, type CoreSpec, formatSpec } from './relo/spec.js';
/** Writes the report's JSON and HTML files atomically. */
export { type ReportFiles, writeReportFiles } from './report/files.js';
/** The report as one HTML page. */
export { renderHtmlReport } from './report/html.js';
/** How one relocation fares against one kernel, as the report records it. */
export type { RelocationVerdict } from './report/relocations.js';
/** The coverage report of a build and its renderings. */
export type { BuildReport, BuildStats, KernelReport } from './report/report.js';
/** The report as a text table. */
export { formatReport } from './report/table.js';
/** A snapshot given as `git+URL[#REF]`, and its failures. */
export { GitSnapshotError, type GitSnapshotErrorCode } from './snapshot/git-command.js';
/** A kernel's BTF from raw BTF, an ELF with `.BTF`, or a BTFHub `.btf.tar.xz`. */
export { readKernelBtf } from './snapshot/input.js';
