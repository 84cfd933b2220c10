/**
 * The (object set, target) pairs the core oracle tests check, and small helpers shared by them.
 *
 * Pairs come from `packages/core/testdata/manifest.json` (written by scripts/verify-testdata.py, which records
 * bpftool's outcome for each), plus all real-world objects together against every sample-snapshot kernel.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  type BpfObject,
  Btf,
  CoreResolver,
  parseBpfObject,
  type RelocationOutcome,
  ReloKind,
  readKernelBtf,
} from '../../packages/core/dist/index.js';
import { filesUnder } from '../oracle/btf-files.js';

export const repo = resolve(import.meta.dirname, '../..');
export const testdata = join(repo, 'packages/core/testdata');
export const targetsDir = join(testdata, 'targets');

/** One oracle case: objects minimized together against one target. */
export interface Pair {
  /** Display name, `obj[+obj] @ target`. */
  name: string;
  objects: string[];
  target: string;
  /** Error objects (`err_*`): libbpf and we are expected to fail the same way, no output to compare. */
  expectError: boolean;
}

/** Every sample-snapshot kernel (`.btf.tar.xz`), sorted. */
export function snapshotKernels(): string[] {
  return filesUnder(join(repo, 'sample-snapshot'), '.btf.tar.xz');
}

/** The sample-snapshot kernel the single-kernel cases use: Debian 12 x86_64 6.1.0-54-amd64. */
export function referenceKernel(): string {
  const kernel = snapshotKernels().find((k) => k.includes('x86_64/6.1.0-54-amd64'));
  if (kernel === undefined) throw new Error('sample-snapshot lacks debian/12/x86_64/6.1.0-54-amd64');
  return kernel;
}

/** The real-world objects (libbpf-tools style, x86 vmlinux.h). */
export const realObjects = ['execsnoop', 'opensnoop', 'tcpstates', 'biolatency'].map((n) =>
  join(testdata, `${n}.bpf.o`),
);

/**
 * Objects libbpf itself rejects against their target (ambiguity, anonymous root, SIGNED on an array
 * element, E2BIG bitfield): every tool must fail on them. The other `err_*` objects (TYPE_TAG, FWD
 * pointee) are only bpftool errors (docs/btfgen.md#fix-5-type_tag-and-fwd) that libbpf relocates fine.
 */
export const LIBBPF_REJECTS = new Set(
  ['err_ambiguity', 'err_anon_root', 'err_array_signed', 'err_bitfield_e2big', 'err_type_id_ambiguity'].map(
    (n) => `${n}.bpf.o`,
  ),
);

/** The errno libbpf fails a relocation with, per error code of our resolver. */
export const ERRNO: Record<string, number> = { EINVAL: 22, E2BIG: 7, EOPNOTSUPP: 95, ERANGE: 34 };

/** Pairs where robust output differs from bpftool's on purpose: the docs/btfgen.md#robust-mode-fixes fix that applies. */
export const ROBUST_DIFFERS: Record<string, string> = {
  'bug6_first_candidate.bpf.o @ candidates.o': '#6 every matching candidate is marked',
  'candidates.bpf.o @ candidates.o': '#6 every matching candidate is marked (duplicate structs)',
  'bug7_flex_array.bpf.o @ arrays.o': '#7 zero-length array keeps the last member',
  'bug9_pointer_size.bpf.o @ ptrsize32.btf': '#9 32-bit target keeps its long INT',
  'weak_linked.bpf.o @ objects.o':
    "#12 no type kept for the dropped weak subprogram's record, which libbpf skips",
};

/** Pairs where bpftool fails (or crashes) and we succeed in robust mode. */
export const BPFTOOL_FAILS: Record<string, RegExp> = {
  'err_fwd_pointee.bpf.o @ typebased.o': /./,
  'err_typetag_match.bpf.o @ typetag.o': /./,
  'err_typetag_type.bpf.o @ typetag.o': /./,
  'bug10_legacy_bitfield.bpf.o @ legacy_bitfield.btf': /./,
  'bug8_match_recursion.bpf.o @ typematches.o': /./,
};

/** Edge objects (little- and big-endian) and every synthetic target, for the all-pairs bpftool sweep. */
export function allEdgeObjects(): string[] {
  return readdirSync(testdata)
    .filter((f) => f.endsWith('.o') && !realObjects.includes(join(testdata, f)) && f !== 'no_btf.bpf.o')
    .filter((f) => !/_(x86|arm64)_bpfel\.o$/.test(f))
    .map((f) => join(testdata, f))
    .sort();
}

/** Every synthetic target file. */
export function allTargets(): string[] {
  return readdirSync(targetsDir)
    .map((f) => join(targetsDir, f))
    .sort();
}

function pairName(objects: string[], target: string): string {
  return `${objects.map((o) => basename(o)).join('+')} @ ${basename(target)}`;
}

function pair(objects: string[], target: string): Pair {
  return {
    name: pairName(objects, target),
    objects,
    target,
    expectError: objects.some((o) => LIBBPF_REJECTS.has(basename(o))),
  };
}

/** The shape of `packages/core/testdata/manifest.json` this module reads (paths relative to the repo root). */
interface Manifest {
  objects: { file: string; pairs: { target: string }[] }[];
  multiObjectRuns: { objects: string[]; target: string }[];
}

/**
 * Every (object set, target) pair of the corpus manifest: each object against each of its targets (synthetic
 * targets and sample-snapshot kernels), and the multi-object runs. Objects without BTF are left to the
 * bad-input tests.
 */
export function manifestPairs(): Pair[] {
  const m = JSON.parse(readFileSync(join(testdata, 'manifest.json'), 'utf8')) as Manifest;
  const abs = (p: string) => join(repo, p);
  const single = m.objects
    .filter((o) => basename(o.file) !== 'no_btf.bpf.o')
    .flatMap((o) => o.pairs.map((p) => pair([abs(o.file)], abs(p.target))));
  const multi = m.multiObjectRuns.map((r) => pair(r.objects.map(abs), abs(r.target)));
  return [...single, ...multi];
}

/** Real objects against real kernels: all real objects together per kernel, plus the bpfeb/bpf2go copies. */
export function kernelPairs(kernels = snapshotKernels()): Pair[] {
  const pairs: Pair[] = [];
  for (const k of kernels) {
    const arm = k.includes('/arm64/');
    const extra = arm ? ['opensnoop_arm64_bpfel.o', 'execsnoop_arm64_bpfel.o'] : ['opensnoop_x86_bpfel.o'];
    pairs.push(pair([...realObjects, ...extra.map((e) => join(testdata, e))], k));
    pairs.push(pair([join(testdata, 'opensnoop_bpfeb.bpf.o')], k));
  }
  return pairs;
}

const btfCache = new Map<string, Btf>();
const rawCache = new Map<string, Uint8Array>();

/** Reads a target (raw BTF, ELF `.BTF`, or `.btf.tar.xz`) as raw BTF bytes, cached. */
export async function targetBytes(path: string): Promise<Uint8Array> {
  let b = rawCache.get(path);
  if (!b) {
    b = await readKernelBtf(path);
    rawCache.set(path, b);
  }
  return b;
}

/** Parses a target, cached per path. */
export async function targetBtf(path: string): Promise<Btf> {
  let b = btfCache.get(path);
  if (!b) {
    b = Btf.parse(await targetBytes(path), { file: path });
    btfCache.set(path, b);
  }
  return b;
}

const objCache = new Map<string, BpfObject>();

/** Parses a BPF object, cached per path. */
export function loadObject(path: string): BpfObject {
  let o = objCache.get(path);
  if (!o) {
    o = parseBpfObject(new Uint8Array(readFileSync(path)), path);
    objCache.set(path, o);
  }
  return o;
}

/** A relocation outcome rendered as what a reduced BTF must preserve (docs/verification.md#correctness-criterion). */
export function renderOutcome(btf: Btf, o: RelocationOutcome): string {
  const key = `${o.relo.section}#${o.relo.indexInGroup}`;
  if (o.relo.skipped !== undefined) return `${key} skipped`;
  if (o.error) return `${key} error ${o.error.code}`;
  const r = o.result;
  if (!r) return `${key} none`;
  if (r.poison) return `${key} poison`;
  if (o.relo.kind === ReloKind.TYPE_ID_TARGET) {
    const id = Number(r.newValue);
    return `${key} target ${id === 0 ? 'void' : `${btf.kind(id)} ${btf.name(id)}`}`;
  }
  return `${key} value ${r.newValue} size ${r.newSize} failMemsz ${r.failMemszAdjust}`;
}

/** Resolution orders of docs/verification.md#correctness-criterion. */
export const ORDERS = ['file-order', 'each-alone', 'per-program'] as const;

/** One of {@link ORDERS}. */
export type ResolveOrder = (typeof ORDERS)[number];

/** Resolves `object` against `target` in `order`, rendering each outcome (sorted for per-program). */
export function resolveIn(target: Btf, object: BpfObject, order: ResolveOrder): string[] {
  const resolver = new CoreResolver(target);
  if (order === 'file-order') return resolver.resolveObject(object).map((o) => renderOutcome(target, o));
  if (order === 'each-alone') {
    // as the loader would: a record libbpf skips is not resolved
    return object.ext.coreRelos.map((relo) =>
      renderOutcome(
        target,
        relo.skipped === undefined ? resolver.resolve(object, relo, new Map()) : { relo, matches: [] },
      ),
    );
  }
  const sections = [...new Set(object.ext.coreRelos.map((r) => r.section))];
  return sections.flatMap((s) =>
    resolver
      .resolveObject(object, { filter: (r) => r.section === s })
      .map((o) => `[${s}] ${renderOutcome(target, o)}`),
  );
}

/** Every line that differs between two renderings (empty = identical). */
export function diffLines(full: string[], reduced: string[]): string[] {
  const out: string[] = [];
  const n = Math.max(full.length, reduced.length);
  for (let i = 0; i < n; i++) {
    if (full[i] !== reduced[i]) out.push(`full: ${full[i] ?? 'absent'} | reduced: ${reduced[i] ?? 'absent'}`);
  }
  return out;
}

/** Compares our resolver against `full` and `reduced` in all three orders; returns the differences. */
export function resolverDifferences(full: Btf, reduced: Btf, objects: BpfObject[]): string[] {
  const diffs: string[] = [];
  for (const object of objects) {
    for (const order of ORDERS) {
      for (const d of diffLines(resolveIn(full, object, order), resolveIn(reduced, object, order))) {
        diffs.push(`${basename(object.file)} ${order}: ${d}`);
      }
    }
  }
  return diffs;
}

/** Maps `items` through `fn` with at most `n` calls in flight, keeping the order of the results. */
export async function limited<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * Timeout of the tests that run an external oracle over a whole corpus (hundreds of bpftool or libbpf processes):
 * a couple of minutes alone, several times that on a busy machine, where vitest's default would cut them off.
 */
export const ORACLE_SWEEP_TIMEOUT_MS = 900_000;
