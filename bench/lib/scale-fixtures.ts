// Agent-size bundle fixtures for bench/bundle-size.ts and bench/runtime-decode.ts: the agent corpus
// (packages/core/testdata/agent/, ≥ 40 objects) over the real kernels of sample-snapshot/ plus any BTFHub-layout
// benchmark kernel cache (BTF_BUNDLE_KERNELS, default .cache/kernels, filled by scripts/fetch-kernel-btfs.sh --bench), topped up with drifted
// variants of them (bench/lib/drift.ts) up to the kernel count a row asks for.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Btf } from '../../packages/core/src/btf/btf.js';
import { type MinimizeMode, minimizeBtf } from '../../packages/core/src/minimize/minimize.js';
import { type BpfObject, parseBpfObject } from '../../packages/core/src/object.js';
import { readKernelBtf } from '../../packages/core/src/snapshot/input.js';
import { scanSnapshot } from '../../packages/core/src/snapshot/scan.js';
import { type KernelKey, kernelId } from '../../packages/runtime/src/index.js';
import { driftBtf } from './drift.js';
import { REAL_OBJECTS, TESTDATA } from './fixtures.js';

const ROOT = process.cwd();

/** The object set of the agent rows. */
export interface AgentCorpus {
  /** Where the objects come from, for the table's caption. */
  source: string;
  objects: BpfObject[];
  /** The object files (for bpftool). */
  files: string[];
  /** name + SHA-256 of each object, as a build records them. */
  hashes: { name: string; sha256: string }[];
}

/**
 * The agent corpus: every `*.o` of `packages/core/testdata/agent/` (or of BENCH_AGENT_DIR when set); without
 * either, the four real-world objects of packages/core/testdata, said so in `source`.
 */
export function agentCorpus(): AgentCorpus {
  const dir = process.env.BENCH_AGENT_DIR ?? join(ROOT, 'packages/core/testdata/agent');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.o'))
        .sort()
        .map((f) => join(dir, f))
    : REAL_OBJECTS.map((f) => join(TESTDATA, f));
  const source = existsSync(dir)
    ? `${files.length} objects of ${dir.startsWith(ROOT) ? dir.slice(ROOT.length + 1) : dir}`
    : `no ${dir}: the ${files.length} real objects of packages/core/testdata`;
  const bytes = files.map((f) => readFileSync(f));
  const names = files.map((f) => f.slice(f.lastIndexOf('/') + 1));
  return {
    source,
    objects: bytes.map((b, i) => parseBpfObject(b, names[i]!)),
    files,
    hashes: names.map((name, i) => ({ name, sha256: createHash('sha256').update(bytes[i]!).digest('hex') })),
  };
}

/** A kernel of the scale rows: its key and full raw BTF (real, or a drifted variant made on demand). */
export interface ScaleKernel {
  key: KernelKey;
  raw: () => Uint8Array;
  /** Undefined for a real kernel; the real kernel's id for a variant. */
  driftedFrom?: string;
}

/**
 * The real kernels: sample-snapshot/ and the benchmark kernel cache (BTFHub layout; `BTF_BUNDLE_KERNELS`, default
 * `.cache/kernels` as `scripts/fetch-kernel-btfs.sh --bench` fills it, skipped when absent), each id once, sorted.
 */
export async function realScaleKernels(): Promise<ScaleKernel[]> {
  const cache = resolve(ROOT, process.env.BTF_BUNDLE_KERNELS ?? '.cache/kernels');
  const dirs = [join(ROOT, 'sample-snapshot'), ...(existsSync(cache) ? [cache] : [])];
  const byId = new Map<string, ScaleKernel>();
  for (const dir of dirs) {
    const { kernels } = await scanSnapshot(dir);
    for (const k of kernels) {
      if (byId.has(k.id)) continue;
      const raw = await readKernelBtf(k.path);
      byId.set(k.id, { key: k.key, raw: () => raw });
    }
  }
  return [...byId.keys()].sort().map((id) => byId.get(id)!);
}

/** Names of the structs a reduced BTF keeps: the ones a drift can touch and the objects can see. */
function keptStructs(reduced: Uint8Array): Set<string> {
  const btf = Btf.parse(reduced);
  const out = new Set<string>();
  for (let id = 1; id < btf.typeCount; id++) if (btf.kind(id) === 4 && btf.name(id)) out.add(btf.name(id));
  return out;
}

/** Releases per layout change: the drift takes one more step every this many variants of a real kernel. */
const RELEASES_PER_STEP = 3;

/**
 * `count` kernels: the real ones first, then variants of each real kernel in turn, named like later releases of
 * its series (`6.1.0-47-amd64` → `6.1.0-47.1-amd64`, `.2`, …; same flavour, so `nearest` lookups see them as
 * one series). Variant n of a kernel has taken
 * ⌈n / RELEASES_PER_STEP⌉ drift steps, so neighbouring releases often share a layout, as they do in BTFHub.
 */
export function scaleKernels(
  real: readonly ScaleKernel[],
  corpus: AgentCorpus,
  count: number,
): ScaleKernel[] {
  const out = real.slice(0, count);
  const keptOf = new Map<string, Set<string>>();
  for (let n = 1; out.length < count; n++) {
    for (const base of real) {
      if (out.length >= count) break;
      const id = kernelId(base.key);
      let kept = keptOf.get(id);
      if (!kept) {
        kept = keptStructs(minimizeBtf(Btf.parse(base.raw()), corpus.objects).btf);
        keptOf.set(id, kept);
      }
      const m = /^(\d+(?:[.-]\d+)*)(.*)$/.exec(base.key.release);
      const release = m ? `${m[1]}.${n}${m[2]}` : `${base.key.release}.${n}`;
      const seed = createHash('sha256').update(id).digest().readUInt32LE(0);
      const targets = kept;
      const steps = Math.ceil(n / RELEASES_PER_STEP);
      out.push({
        key: { ...base.key, release },
        raw: () => driftBtf(base.raw(), targets, seed, steps),
        driftedFrom: id,
      });
    }
  }
  return out;
}

/** Each kernel's reduced BTF for the corpus (`robust`: what a build bundles; `bpftool`: bpftool's bytes). */
export function reduceAll(
  kernels: readonly ScaleKernel[],
  corpus: AgentCorpus,
  mode: MinimizeMode,
): { key: KernelKey; blob: Uint8Array }[] {
  return kernels.map(({ key, raw }) => ({
    key,
    blob: minimizeBtf(Btf.parse(raw()), corpus.objects, { mode }).btf,
  }));
}
