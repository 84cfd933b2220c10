/**
 * The libbpf oracle: runs libbpf's own CO-RE relocation (Debian's libbpf 1.1 through the C
 * harness `libbpf-relo.c`) of an object against a kernel BTF and returns, per relocation,
 * what libbpf did. A reduced BTF is correct iff `compareRelocations` finds no difference
 * between the runs against the full and the reduced BTF.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { oracleTempDir, rawBtfPath } from './btf-files.js';

export { extractBtfTarXz } from './btf-files.js';

const execFileAsync = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const cacheDir = resolve(here, '../../node_modules/.cache/btf-bundle-oracle');

/** CO-RE relocation kind names, indexed by kind number (`enum bpf_core_relo_kind`). */
export const RELOCATION_KIND_NAMES = [
  'FIELD_BYTE_OFFSET',
  'FIELD_BYTE_SIZE',
  'FIELD_EXISTS',
  'FIELD_SIGNED',
  'FIELD_LSHIFT_U64',
  'FIELD_RSHIFT_U64',
  'TYPE_ID_LOCAL',
  'TYPE_ID_TARGET',
  'TYPE_EXISTS',
  'TYPE_SIZE',
  'ENUMVAL_EXISTS',
  'ENUMVAL_VALUE',
  'TYPE_MATCHES',
] as const;

/** Fields common to every relocation record reported by the harness. */
export interface LibbpfRelocationBase {
  /** ELF section (= `.BTF.ext` group) name, e.g. `kprobe/do_nanosleep`, `?tp/x`, `.text`. */
  section: string;
  /** libbpf's `relo #N`: index of the record inside its `.BTF.ext` group. */
  reloIndex: number;
  /** Instruction index inside the section (`insn_off / 8`). */
  insnIndex: number;
  /** Program or `.text` subprogram holding the instruction, or null if unknown. */
  program: string | null;
  /** Relocation kind number (0..12; anything else is reported as is). */
  kind: number;
  /** Kind name from {@link RELOCATION_KIND_NAMES}, `UNKNOWN` otherwise. */
  kindName: string;
  /** Local root type id in the object's `.BTF`. */
  typeId: number;
  /** Access string, e.g. `0:1:2`. */
  access: string;
  /** libbpf's rendering of the local spec (`<byte_off> [16] struct task_struct.pid (0:0 @ offset 0)`), null if not processed. */
  spec: string | null;
}

/** libbpf patched the instruction with a value. */
export interface LibbpfValueOutcome {
  outcome: 'value';
  /** Instruction class patched: ALU/ALU64 imm, LDX/ST/STX offset, or LDIMM64 imm64. */
  patch: 'alu' | 'ldx' | 'ldimm64';
  /** Value found in the instruction. */
  old: bigint;
  /** Value libbpf wrote (the relocation's `newVal`). */
  value: bigint;
  /** Load/store width change libbpf applied (LDX/ST/STX only). */
  memSize?: { old: number; new: number };
  /** For TYPE_ID_TARGET: kind (`struct`, `enum`, ...) and name of the target type id in the BTF, null for id 0. */
  target?: { kind: string; name: string } | null;
}

/** libbpf poisoned the instruction (no matching target, or unsafe load width change). */
export interface LibbpfPoisonOutcome {
  outcome: 'poison';
  reason: 'no-match' | 'memsz-adjust';
}

/** libbpf failed the relocation, which aborts the whole load. */
export interface LibbpfErrorOutcome {
  outcome: 'error';
  /** Positive errno (22 = EINVAL, 7 = E2BIG, 95 = EOPNOTSUPP, 34 = ERANGE, ...). */
  errno: number;
  /** libbpf's last diagnostic for this relocation (e.g. `field offset ambiguity: 128 != 64`). */
  message: string | null;
}

/** libbpf never processed the relocation. */
export interface LibbpfSkippedOutcome {
  outcome: 'skipped';
  /**
   * `not-loaded`: its program was not loaded (`only` option); `weak-eliminated`: it belongs
   * to an overridden weak subprogram; `aborted`: an earlier failure stopped the CO-RE step.
   */
  reason: 'not-loaded' | 'weak-eliminated' | 'aborted';
}

/** One CO-RE relocation record of the object and what libbpf did with it. */
export type LibbpfRelocation = LibbpfRelocationBase &
  (LibbpfValueOutcome | LibbpfPoisonOutcome | LibbpfErrorOutcome | LibbpfSkippedOutcome);

/** Whole-object result of one harness run. */
export interface LibbpfObjectResult {
  /** The CO-RE step ran to its end without error. */
  relocated: boolean;
  /** errno of `bpf_object__load` (always non-zero: loading is made to fail after relocation). */
  loadError: number;
  /** Short description of where the load stopped. */
  message: string;
  /** Why the object's `.BTF.ext` records could not be listed (malformed object), if so. */
  problem?: string;
}

/** Result of {@link libbpfRelocate}. */
export interface LibbpfRun {
  /** Every core_relo record of the object's `.BTF.ext`, in file order. */
  relocations: LibbpfRelocation[];
  object: LibbpfObjectResult;
  /** libbpf's complete debug log, when requested with `keepLog`. */
  log?: string;
}

/** A libbpf other than the system's to build the harness against (headers and shared library). */
export interface LibbpfBuild {
  /** Short label, part of the cached binary's name (e.g. `libbpf-1.4.6`). */
  label: string;
  /** Directory holding `bpf/libbpf.h` and friends. */
  includeDir: string;
  /** Directory holding `libbpf.so`; the harness is linked with it as its run path. */
  libDir: string;
}

/** Options of {@link libbpfRelocate}. */
export interface LibbpfRelocateOptions {
  /** Build the harness against this libbpf instead of the system's (Debian's 1.1). */
  libbpf?: LibbpfBuild;
  /** Load only this program (others keep autoload off, as an application would do). Default: all programs. */
  only?: string;
  /** Keep libbpf's raw debug log in the result. */
  keepLog?: boolean;
}

/** Compiles the C program `source` (next to this file) against Debian's libbpf (or `libbpf`) once per content, cached. */
function compileOracle(source: string, libbpf?: LibbpfBuild): string {
  const path = join(here, source);
  const hash = createHash('sha256')
    .update(readFileSync(path))
    .update(JSON.stringify(libbpf ?? {}))
    .digest('hex');
  const label = libbpf === undefined ? '' : `-${libbpf.label}`;
  const binary = join(cacheDir, `${source.replace(/\.c$/, '')}${label}-${hash.slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  try {
    const local =
      libbpf === undefined
        ? []
        : [`-I${libbpf.includeDir}`, `-L${libbpf.libDir}`, `-Wl,-rpath,${libbpf.libDir}`];
    execFileSync(
      'gcc',
      ['-O2', '-Wall', '-Wextra', '-Werror', ...local, '-o', tmp, path, '-lbpf', '-lelf', '-lz'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    renameSync(tmp, binary);
  } catch (err) {
    rmSync(tmp, { force: true });
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot compile ${path}: ${stderr || (err as Error).message}`);
  }
  return binary;
}

/** Compiles the relocation harness (libbpf-relo.c) once per content (and libbpf) and returns the binary's path. */
export function compileLibbpfHarness(libbpf?: LibbpfBuild): string {
  return compileOracle('libbpf-relo.c', libbpf);
}

/**
 * Hands each raw BTF file to the running kernel's BTF verifier (libbpf's `btf__load_into_kernel`, harness
 * `btf-kernel-load.c`) and returns, per file in order, `'ok'` or the errno it refused it with. Needs a usable bpf().
 */
export function kernelBtfVerdicts(paths: string[]): string[] {
  const out = execFileSync(compileOracle('btf-kernel-load.c'), paths, { encoding: 'utf8' });
  return out.trim().split('\n');
}

/** What {@link libbpfLoad} reports. */
export type LibbpfLoad = { loaded: true; programs: string[] } | { loaded: false; errno: number; log: string };

/**
 * Loads `object` into the running kernel for real (libbpf-load.c: maps created, the object's own program types
 * and autoload flags), with `btfPath` as btf_custom_path when given, and reports whether the verifier accepted
 * every program. Needs root; the programs are unloaded again when the helper exits.
 */
export async function libbpfLoad(object: string, btfPath?: string): Promise<LibbpfLoad> {
  const args = btfPath === undefined ? [object] : [object, rawBtfPath(btfPath)];
  const { stdout } = await execFileAsync(compileOracle('libbpf-load.c'), args, { timeout: 120_000 });
  return JSON.parse(stdout) as LibbpfLoad;
}

/**
 * Relocates `object` (a `.bpf.o`) with libbpf against `btfPath` (raw BTF, ELF with `.BTF`,
 * or BTFHub `.btf.tar.xz`, extracted first) used as `btf_custom_path`. Maps are not created,
 * all programs are force-loaded (or only `options.only`), and the load is made to fail right
 * after the CO-RE step. Rejects only if the harness itself cannot run (missing files,
 * unreadable object); libbpf's verdicts, including whole-object failures, are in the result.
 */
export async function libbpfRelocate(
  object: string,
  btfPath: string,
  options: LibbpfRelocateOptions = {},
): Promise<LibbpfRun> {
  const binary = compileLibbpfHarness(options.libbpf);
  const args = [object, rawBtfPath(btfPath)];
  if (options.only !== undefined) args.push('--only', options.only);
  let logPath: string | undefined;
  if (options.keepLog) {
    logPath = join(oracleTempDir('btf-bundle-libbpf-log-'), 'libbpf.log');
    args.push('--log', logPath);
  }
  const { stdout } = await execFileAsync(binary, args, { maxBuffer: 256 << 20, timeout: 300_000 });
  const run = parseHarnessOutput(stdout, object);
  if (logPath !== undefined) run.log = readFileSync(logPath, 'utf8');
  return run;
}

function parseHarnessOutput(stdout: string, object: string): LibbpfRun {
  const relocations: LibbpfRelocation[] = [];
  let result: LibbpfObjectResult | undefined;
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const rec = JSON.parse(line) as Record<string, unknown> & { record: string };
    if (rec.record === 'object') {
      result = rec as unknown as LibbpfObjectResult;
      delete (result as unknown as Record<string, unknown>).record;
    } else {
      delete (rec as Partial<typeof rec>).record;
      if (rec.outcome === 'value') {
        rec.old = BigInt(rec.old as string);
        rec.value = BigInt(rec.value as string);
      }
      relocations.push(rec as unknown as LibbpfRelocation);
    }
  }
  if (result === undefined) throw new Error(`libbpf-relo ${object}: no summary line in output`);
  return { relocations, object: result };
}

/** One relocation whose outcome differs between two runs. */
export interface RelocationDifference {
  /** `section#reloIndex`, the relocation's identity. */
  key: string;
  program: string | null;
  kindName: string;
  /** Outcome with the full BTF, rendered (e.g. `value 1280`, `poison (no-match)`, `absent`). */
  full: string;
  /** Outcome with the reduced BTF, rendered the same way. */
  reduced: string;
}

function relocationKey(r: LibbpfRelocation): string {
  return `${r.section}#${r.reloIndex}`;
}

/**
 * Renders the part of an outcome that must be preserved by a reduced BTF: the new value
 * (TYPE_ID_TARGET: the target type's kind and name instead of its id) and load width change,
 * the poison reason, the errno, or the skip reason.
 */
export function describeOutcome(r: LibbpfRelocation | undefined): string {
  if (r === undefined) return 'absent';
  switch (r.outcome) {
    case 'value': {
      const size = r.memSize ? ` mem_sz ${r.memSize.new}` : '';
      if (r.kind === 7) return r.target ? `target ${r.target.kind} ${r.target.name}` : 'target none (0)';
      return `value ${r.value}${size}`;
    }
    case 'poison':
      return `poison (${r.reason})`;
    case 'error':
      return `error errno ${r.errno}`;
    case 'skipped':
      return `skipped (${r.reason})`;
  }
}

/**
 * Lists the relocations whose libbpf outcome differs between a run against the full kernel
 * BTF and one against a reduced BTF (see {@link describeOutcome} for what is compared;
 * TYPE_ID_TARGET is compared by target kind + name since ids differ by design). Accepts runs
 * or bare relocation lists. An empty result means libbpf relocates identically.
 */
export function compareRelocations(
  full: LibbpfRun | readonly LibbpfRelocation[],
  reduced: LibbpfRun | readonly LibbpfRelocation[],
): RelocationDifference[] {
  const a = 'relocations' in full ? full.relocations : full;
  const b = 'relocations' in reduced ? reduced.relocations : reduced;
  const byKey = new Map(b.map((r) => [relocationKey(r), r]));
  const seen = new Set<string>();
  const diffs: RelocationDifference[] = [];
  const push = (
    key: string,
    base: LibbpfRelocation,
    x: LibbpfRelocation | undefined,
    y?: LibbpfRelocation,
  ) => {
    const fullText = describeOutcome(x);
    const reducedText = describeOutcome(y);
    if (fullText !== reducedText) {
      diffs.push({
        key,
        program: base.program,
        kindName: base.kindName,
        full: fullText,
        reduced: reducedText,
      });
    }
  };
  for (const r of a) {
    const key = relocationKey(r);
    seen.add(key);
    push(key, r, r, byKey.get(key));
  }
  for (const r of b) {
    const key = relocationKey(r);
    if (!seen.has(key)) push(key, r, undefined, r);
  }
  return diffs;
}

/** What {@link libbpfCompare} reports: the run against the full BTF and how the reduced one differs from it. */
export interface LibbpfComparison {
  full: LibbpfRun;
  differences: RelocationDifference[];
}

/**
 * Relocates `object` with libbpf against the full `target` and against `reduced` (a BTF file), with the
 * same options, and compares the two runs ({@link compareRelocations}).
 */
export async function libbpfCompare(
  object: string,
  target: string,
  reduced: string,
  options: LibbpfRelocateOptions = {},
): Promise<LibbpfComparison> {
  const full = await libbpfRelocate(object, target, options);
  const differences = compareRelocations(full, await libbpfRelocate(object, reduced, options));
  return { full, differences };
}

/** Formats differences one per line, for assertion messages. */
export function formatRelocationDifferences(diffs: readonly RelocationDifference[]): string {
  return diffs
    .map((d) => `${d.key} (${d.program ?? '?'}, ${d.kindName}): full ${d.full}, reduced ${d.reduced}`)
    .join('\n');
}
