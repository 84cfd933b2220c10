import { statSync } from 'node:fs';
import { Btf } from '../btf/btf.js';
import { IndexBuffer } from '../btf/parse.js';
import { BuildCache, type CachedResult, cacheKey } from '../cache/cache.js';
import { BtfBundleError, CoreRelocationError, MinimizeError, portableMessage } from '../errors.js';
import { type MinimizeMode, minimizeBtf, type ObjectRelocationSummary } from '../minimize/minimize.js';
import { type ObjectBtf, type ObjectSections, parseObjectSections } from '../object.js';
import { isTarXzPath, KernelBuffer, MAX_KERNEL_BTF_BYTES, readKernelBtf } from '../snapshot/input.js';
import type { XzAhead } from '../snapshot/xz-ahead.js';
import { chosenXzDecoder, findSystemXz } from '../snapshot/xz-source.js';
import { errorMessage } from '../util/error-message.js';
import { sha256Hex } from '../util/sha256.js';

/**
 * Whether a lane may have `task`'s archive decoded ahead, while it minimizes the kernel before it: only a
 * `.btf.tar.xz` in a build without cache (with one, the kernel may be answered without being read). The lane also
 * needs the system xz (see {@link KernelProcessor.run}).
 */
export function readsAhead(setup: TaskSetup, task: KernelTask | undefined): task is KernelTask {
  return task !== undefined && setup.cacheDir === null && isTarXzPath(task.path);
}

/** One kernel to minimize. */
export interface KernelTask {
  /** Kernel id `distro/version/arch/release`. */
  id: string;
  /** Kernel file. */
  path: string;
  /** Arch, selecting the object set. */
  arch: string;
}

/** The objects of one arch as sent to a worker. */
export interface ObjectSet {
  /**
   * Object names (for reports) and their `.BTF`/`.BTF.ext`, in minimizer order. An object that is in several sets
   * should be the same {@link ObjectSections} value in each: a lane then receives and parses it once.
   */
  objects: { name: string; sections: ObjectSections }[];
  /** Their relocation signatures, same order (cache keys; an empty list when the build has no cache). */
  signatures: string[];
}

/** Everything a worker needs besides its tasks (structured-clone friendly). */
export interface TaskSetup {
  /** Object sets by arch. */
  objectSets: Record<string, ObjectSet>;
  /** Cache dir, or null for no cache. */
  cacheDir: string | null;
  /** Minimizer mode. */
  mode: MinimizeMode;
  /** Largest kernel file or archive member read, in bytes (default `MAX_KERNEL_BTF_BYTES`). */
  maxKernelBytes?: number;
}

/** What happened to one kernel. */
export type KernelOutcome = {
  /** Kernel id. */
  id: string;
  /** Whether the result came from the cache. */
  cached: boolean;
  /** Size of the kernel's raw BTF, when it could be read. */
  sourceBytes?: number;
  /** Milliseconds spent on this kernel. */
  ms: number;
  /** Cache problems that did not fail the kernel (e.g. an unwritable cache dir). */
  cacheWarning?: string;
} & (
  | { status: 'covered'; btf: Uint8Array; objects: ObjectRelocationSummary[] }
  /** `unreadable`: the kernel file could not be read or is not valid BTF; `error`: it cannot be covered. */
  | { status: 'failed'; failure: 'unreadable' | 'error'; reason: string }
);

/** What a batch worker posts once its code is loaded and it can take tasks. */
export const WORKER_READY = 'ready';

/** What the pool posts to a batch worker that has no task left: it ends its read-ahead and exits. */
export const WORKER_CLOSE = 'close';

/** Runs kernel tasks for one {@link TaskSetup}; each object is parsed once, when a kernel first needs it. */
export class KernelProcessor {
  private readonly parsed = new Map<string, ObjectBtf[]>();
  private readonly parsedSections = new Map<ObjectSections, ObjectBtf>();
  private readonly cache: BuildCache | undefined;
  /** Kernels are read one after the other into this buffer (nothing keeps a kernel's bytes after its run). */
  private readonly kernelBuffer = new KernelBuffer();
  /** Likewise for each kernel's record index. */
  private readonly indexBuffer = new IndexBuffer();
  /** The next kernel's archive, being decoded while this lane minimizes the current one. */
  private ahead: XzAhead | undefined;

  /** `parsed`: object sets of `setup` already parsed (same arches, same order), used instead of parsing them. */
  constructor(
    private readonly setup: TaskSetup,
    parsed?: Record<string, ObjectBtf[]>,
  ) {
    for (const [arch, objects] of Object.entries(parsed ?? {})) this.parsed.set(arch, objects);
    this.cache = setup.cacheDir === null ? undefined : new BuildCache(setup.cacheDir);
  }

  /** The parsed objects of `arch`'s set (parsed on first use; undefined when the setup has no such set). */
  private objectsOf(arch: string): ObjectBtf[] | undefined {
    let objects = this.parsed.get(arch);
    const set = this.setup.objectSets[arch];
    if (!objects && set) {
      objects = set.objects.map(({ sections }) => {
        let object = this.parsedSections.get(sections);
        if (!object) {
          object = parseObjectSections(sections);
          this.parsedSections.set(sections, object);
        }
        return object;
      });
      this.parsed.set(arch, objects);
    }
    return objects;
  }

  /**
   * Read, look up and (on a miss) minimize one kernel. Never throws: failures are outcomes. `next`: the kernel
   * this lane runs next; when it is a `.btf.tar.xz` and the build has no cache (with one, the next kernel may be
   * answered without being read), the system xz starts decoding it while this one is minimized. A kernel that was
   * not decoded ahead (a lane's first) is decoded the same way, by this thread's launcher shell where it can be:
   * the piped decoder's xz would be one more fork of this process, after which each page it writes takes a fault.
   */
  async run(task: KernelTask, next?: KernelTask): Promise<KernelOutcome> {
    if (this.ahead?.path !== task.path) {
      await this.close();
      await this.readAhead(task);
    }
    const ahead = this.ahead;
    this.ahead = undefined;
    try {
      return await this.runKernel(task, next, ahead);
    } finally {
      await ahead?.cancel();
    }
  }

  /** Ends a read-ahead still pending (its decoder is killed and waited for, its file freed). */
  async close(): Promise<void> {
    const pending = this.ahead;
    this.ahead = undefined;
    await pending?.cancel();
  }

  /**
   * Ends the lane: {@link close}, then this thread's xz launcher shell is closed and waited for (see
   * `snapshot/xz-launcher.ts`), so that no process of the lane outlives it.
   */
  async finish(): Promise<void> {
    await this.close();
    const { closeLauncher } = await import('../snapshot/xz-launcher.js');
    await closeLauncher();
  }

  /** Starts decoding `next`'s archive when it pays (see {@link run}). */
  private async readAhead(next: KernelTask | undefined): Promise<void> {
    if (!readsAhead(this.setup, next) || chosenXzDecoder() !== 'native') return;
    const [{ canDecodeAhead, decodeXzAhead }, { archiveReadBound }] = await Promise.all([
      import('../snapshot/xz-ahead.js'),
      import('../snapshot/tar-xz.js'),
    ]);
    const bound = archiveReadBound(this.setup.maxKernelBytes ?? MAX_KERNEL_BTF_BYTES);
    if (!canDecodeAhead(bound)) return; // under a lower file size limit, the piped decoder reads it when it comes
    try {
      this.ahead = decodeXzAhead(findSystemXz() as string, next.path, bound);
    } catch {
      // no temporary file or child: the next kernel is decoded when it comes, as without read-ahead
    }
  }

  private async runKernel(
    task: KernelTask,
    next: KernelTask | undefined,
    ahead?: XzAhead,
  ): Promise<KernelOutcome> {
    const start = performance.now();
    const done = <T extends object>(rest: T) => ({ id: task.id, ms: performance.now() - start, ...rest });
    const set = this.setup.objectSets[task.arch];
    const objects = this.objectsOf(task.arch);
    if (!set || !objects) throw new Error(`no objects for arch ${task.arch}`);
    const names = set.objects.map((o) => o.name);
    let raw: Uint8Array | undefined;
    let source: { sourceHash: string; sourceBytes: number } | undefined;
    let cacheWarning: string | undefined;
    const cacheOp = async <T>(op: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await op();
      } catch (err) {
        cacheWarning = `cache: ${errorMessage(err)}`;
        return undefined;
      }
    };
    try {
      // Synchronous: this runs on a worker or a CLI's main thread, where an await only adds a thread-pool trip.
      const statAtMs = Date.now();
      const info = statSync(task.path, { bigint: true });
      source = this.cache && (await cacheOp(() => this.cache!.sourceHash(task.path, info)));
      if (!source) {
        raw = await readKernelBtf(task.path, this.kernelBuffer, {
          maxBytes: this.setup.maxKernelBytes,
          xzSource: ahead?.source(),
        });
        // The hash only keys the cache: without one, don't spend a pass over the kernel on it.
        const sourceHash = this.cache ? sha256Hex(raw) : '';
        source = { sourceHash, sourceBytes: raw.length };
        const facts = source;
        if (this.cache) await cacheOp(() => this.cache!.setSourceHash(task.path, info, statAtMs, facts));
      }
    } catch (err) {
      return done({ cached: false, status: 'failed', failure: 'unreadable', reason: portableMessage(err) });
    }
    const { sourceBytes } = source;
    const key = this.cache && cacheKey({ ...source, signatures: set.signatures, mode: this.setup.mode });
    const hit = this.cache && key && (await cacheOp(() => this.cache!.get(key)));
    if (hit) return done({ ...fromCache(hit, names), cached: true, sourceBytes, cacheWarning });
    let result: CachedResult;
    try {
      raw ??= await readKernelBtf(task.path, this.kernelBuffer, { maxBytes: this.setup.maxKernelBytes });
      await this.readAhead(next);
      const target = Btf.parse(raw, {
        file: task.path,
        indexBuffer: this.indexBuffer,
        typeChecks: 'deferred', // minimizeBtf checks the types it keeps
      });
      const min = minimizeBtf(target, objects, { mode: this.setup.mode });
      result = {
        status: 'covered',
        sourceBytes,
        btf: min.btf,
        objects: min.objects.map(({ object: _, ...s }) => s),
      };
    } catch (err) {
      if (!(err instanceof CoreRelocationError || err instanceof MinimizeError)) {
        const failure = err instanceof BtfBundleError ? 'unreadable' : 'error';
        return done({
          cached: false,
          sourceBytes,
          status: 'failed',
          failure,
          reason: portableMessage(err),
          cacheWarning,
        });
      }
      result = { status: 'failed', sourceBytes, reason: portableMessage(err) };
    }
    if (this.cache && key) await cacheOp(() => this.cache!.put(key, result));
    return done({ ...fromCache(result, names), cached: false, sourceBytes, cacheWarning });
  }
}

/** An outcome body from a cached (or to-be-cached) result, re-attaching object names. */
function fromCache(
  result: CachedResult,
  names: string[],
):
  | { status: 'covered'; btf: Uint8Array; objects: ObjectRelocationSummary[] }
  | {
      status: 'failed';
      failure: 'error';
      reason: string;
    } {
  if (result.status === 'failed') return { status: 'failed', failure: 'error', reason: result.reason };
  const objects = result.objects.map((s, i) => ({ object: names[i] ?? `#${i}`, ...s }));
  return { status: 'covered', btf: result.btf, objects };
}
