import { availableParallelism } from 'node:os';
import { coreReloCountBound } from '../btf/ext.js';
import { isTarXzPath } from '../snapshot/input.js';
import { chosenXzDecoder, type XzDecoder } from '../snapshot/xz-source.js';
import type { KernelTask, TaskSetup } from './task.js';

/**
 * Milliseconds a warm lane spends on a raw kernel besides its relocations: reading and indexing it, and the scan
 * for candidate names (a 6.1 kernel of ~4 MB, measured: ~5.5 ms with 4 objects and 97 relocations, ~20 ms with
 * the 51 agent objects and 1,395).
 */
const KERNEL_MS = 4.5;

/** Milliseconds a warm lane spends per CO-RE relocation per kernel (matching, marking), from the same figures. */
const RELOCATION_MS = 0.011;

/**
 * Milliseconds a lane spends reading a `.btf.tar.xz` kernel, on top of minimizing it, by xz decoder: with the
 * system `xz` decoding in a child process the lane only copies (~65 ms per real 6.1 archive, measured), the WASM
 * decoder decodes on the lane's own thread (~130 ms).
 */
const TARBALL_MS: Readonly<Record<XzDecoder, number>> = { native: 65, wasm: 130 };

/**
 * Estimated work (in warm milliseconds) a lane must have to be worth starting, besides
 * {@link LANE_RELOCATION_MS}. A lane costs a thread, a V8 isolate, loading the code, parsing every object, and its
 * first kernels on cold (unoptimized) code; on 2 cores two lanes also slow each other (the JIT's background
 * compiles, memory bandwidth). Fitted to the benchmark rows with the 4 real objects on a 2-core VM: 8 `.btf.tar.xz`
 * kernels decoded by the WASM decoder ran faster on two lanes (0.64 s against 0.86 s), 128 raw kernels slower
 * (0.74 s against 0.70 s).
 */
const LANE_MS = 380;

/**
 * What a lane's start costs more per relocation of the objects: parsing them and resolving them on cold code (with
 * the 51 agent objects a second lane added ~0.75 s of CPU to a batch of 26 raw kernels that took 1.4 s on one).
 */
const LANE_RELOCATION_MS = 0.2;

function isTarball(task: KernelTask): boolean {
  return isTarXzPath(task.path);
}

/**
 * Estimated warm milliseconds of minimizing `task` for `relocations` CO-RE relocations, `.btf.tar.xz` kernels read
 * with `xzDecoder` (see {@link defaultLanes}).
 */
export function kernelWorkMs(task: KernelTask, relocations: number, xzDecoder: XzDecoder): number {
  const read = isTarball(task) ? TARBALL_MS[xzDecoder] : 0;
  return read + KERNEL_MS + RELOCATION_MS * relocations;
}

/**
 * The default lane count for `tasks`: one per core, but no more than the work pays for, so that the default is
 * never slower than a single lane. The work of a kernel is estimated from its form (raw or `.btf.tar.xz`) and the
 * relocations of its arch's objects (`relocationsByArch`, see {@link setupRelocations}), and so is what starting
 * a lane costs: 128 raw kernels for 4 small objects do not pay for a second lane, 8 `.btf.tar.xz` ones do.
 * `xzDecoder` is the decoder that will read the `.btf.tar.xz` kernels (default: the one chosen for this process,
 * looked up only when there are some).
 */
export function defaultLanes(
  tasks: readonly KernelTask[],
  relocationsByArch: Readonly<Record<string, number>>,
  cores = availableParallelism(),
  xzDecoder: XzDecoder = tasks.some(isTarball) ? chosenXzDecoder() : 'native',
): number {
  let work = 0;
  let relocations = 0;
  for (const task of tasks) {
    const taskRelocations = relocationsByArch[task.arch] ?? 0;
    work += kernelWorkMs(task, taskRelocations, xzDecoder);
    relocations = Math.max(relocations, taskRelocations);
  }
  const laneMs = LANE_MS + LANE_RELOCATION_MS * relocations;
  return Math.max(1, Math.min(cores, Math.floor(work / laneMs)));
}

/** A lane count asked for, capped at the cores (see {@link capLanes}). */
export interface CappedLanes {
  /** The lanes to run (undefined when none were asked for: the default applies). */
  workers: number | undefined;
  /** Why fewer lanes than asked for run, to show the user; undefined when not capped. */
  note?: string;
}

/**
 * `requested` lanes (the `workers` option, named `option` in the note) capped at one per core: more lanes than
 * cores only compete for them, each with its own thread and V8 isolate, its copy of the objects and its kernel
 * buffers (100 lanes for 100 kernels on 2 cores took 1.6 GB and ran 5 to 10 times slower than 2). A value above the
 * cores is not refused (a build configured on a bigger machine still runs here) but capped, with a note.
 */
export function capLanes(
  requested: number | undefined,
  option: string,
  cores = availableParallelism(),
): CappedLanes {
  if (requested === undefined || requested <= cores) return { workers: requested };
  const note = `${option} ${requested} is more than the ${cores} cores of this machine: ${cores} used`;
  return { workers: cores, note };
}

/** CO-RE relocations per arch of `setup` (an upper bound read from each `.BTF.ext` header, for estimates). */
export function setupRelocations(setup: TaskSetup): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [arch, set] of Object.entries(setup.objectSets)) {
    out[arch] = set.objects.reduce((sum, { sections }) => sum + coreReloCountBound(sections.ext), 0);
  }
  return out;
}
