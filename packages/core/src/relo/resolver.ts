import type { Btf } from '../btf/btf.js';
import type { CoreRelo } from '../btf/ext.js';
import { ReloKind, reloKindName } from '../btf/format.js';
import { CoreRelocationError } from '../errors.js';
import type { ObjectBtf } from '../object.js';
import { calcRelocation, emptyResult, type ReloResult } from './calc.js';
import { CandidateIndex, localNameOf } from './candidates.js';
import { matchSpec } from './match.js';
import { patchVerdict, type WidthPoison } from './patch.js';
import { type CoreSpec, formatSpec, parseLocalSpec } from './spec.js';

/** Per-object candidate cache: local root type id → surviving candidate ids (pruned as relocations resolve). */
export type CandidateCache = Map<number, number[]>;

/**
 * A relocation's outcome before its instruction is checked, with the first candidate left for its root after it
 * (for {@link ResolveObjectOptions.reuseDuplicates}).
 */
interface Resolved {
  outcome: RelocationOutcome;
  first: number | undefined;
}

/** Target candidate id → its target spec (null: it does not match), for one relocation. */
export type MatchMemo = Map<number, CoreSpec | null>;

/** The outcome of resolving one CO-RE relocation against one target BTF. */
export interface RelocationOutcome {
  /** The relocation record. */
  relo: CoreRelo;
  /** The parsed local spec (absent when parsing failed). */
  localSpec?: CoreSpec;
  /** The result, when libbpf would relocate the instruction (possibly by poisoning it). */
  result?: ReloResult;
  /** The winning target spec (first matching candidate), if any candidate matched. */
  targetSpec?: CoreSpec;
  /** Target specs of every matching candidate, in candidate order (the survivors after pruning). */
  matches: CoreSpec[];
  /** Why libbpf would fail this relocation (and the whole object load). */
  error?: CoreRelocationError;
  /**
   * Why libbpf poisons the record's load or store when it patches it although the result is not poisoned (the
   * field changes size in a way no width change follows: {@link WidthPoison}). The result keeps the target's values.
   */
  widthPoison?: string;
}

/**
 * The outcome of a record libbpf never applies ({@link CoreRelo.skipped}): nothing resolved, no result, no error.
 */
function skippedOutcome(relo: CoreRelo): UnprunedOutcome {
  return { relo, matches: [], unprunedMatches: [] };
}

/** Options of {@link CoreResolver.resolveObject}. */
export interface ResolveObjectOptions {
  /** Only these relocations are processed (e.g. a subset of programs, as with autoload off); default all. */
  filter?: (relo: CoreRelo) => boolean;
  /** Candidate cache to use; default a fresh one (libbpf keeps one per bpf_object). */
  cache?: CandidateCache;
  /** Also evaluate every relocation against the full, unpruned candidate list (see {@link unprunedMatches}). */
  unpruned?: boolean;
  /**
   * A relocation with the same local root type, access string and kind as an earlier one of the object takes that
   * one's result (with its own record, whose instruction is checked on its own) instead of being resolved again,
   * while the first candidate left for the root is the one that won for the earlier one. Its outcome is then what
   * resolving it would give: the candidates left all matched the earlier one, so the first one wins again and the
   * others agree. Only `matches` may differ (a relocation in between may have pruned some): for callers that do
   * not read it (the robust minimizer).
   */
  reuseDuplicates?: boolean;
  /**
   * Resolve the records libbpf skips ({@link CoreRelo.skipped}) too, in their place, as bpftool's `min_core_btf`
   * does (their candidates then prune the cache for later records). Default false: they are left unresolved, as
   * libbpf leaves them.
   */
  resolveSkipped?: boolean;
}

/** Per-relocation output of {@link CoreResolver.resolveObject} with `unpruned: true`. */
export interface UnprunedOutcome extends RelocationOutcome {
  /** Target specs of every candidate of the full list that matches, ignoring errors and pruning. */
  unprunedMatches: CoreSpec[];
}

/**
 * A CO-RE resolver with libbpf's semantics (docs/core-relocations.md#overview) against one target BTF (a kernel's). The candidate index is
 * built once per target and shared by every object resolved against it.
 */
export class CoreResolver {
  /** The target (kernel) BTF. */
  readonly target: Btf;
  private readonly index: CandidateIndex;

  constructor(target: Btf) {
    this.target = target;
    this.index = CandidateIndex.of(target);
  }

  /**
   * Find the candidates of every relocation of `objects` in one pass over the target (see
   * {@link CandidateIndex.prepare}); optional, {@link resolveObject} does it per object otherwise.
   */
  prepare(objects: readonly ObjectBtf[]): void {
    const roots: [Btf, number][] = [];
    for (const { btf, ext } of objects) {
      for (const relo of ext.coreRelos)
        if (relo.kind !== ReloKind.TYPE_ID_LOCAL && relo.typeId < btf.typeCount)
          roots.push([btf, relo.typeId]);
    }
    this.index.prepare(roots);
  }

  /**
   * Resolve the relocations of `object` in file order (libbpf's default), with one shared candidate cache. The
   * records libbpf skips get an outcome with neither result nor error, unless {@link ResolveObjectOptions.resolveSkipped}.
   */
  resolveObject(object: ObjectBtf, opts: ResolveObjectOptions & { unpruned: true }): UnprunedOutcome[];
  resolveObject(object: ObjectBtf, opts?: ResolveObjectOptions): RelocationOutcome[];
  resolveObject(object: ObjectBtf, opts: ResolveObjectOptions = {}): RelocationOutcome[] {
    this.prepare([object]);
    const cache = opts.cache ?? new Map();
    const out: RelocationOutcome[] = [];
    const matched: MatchMemo = new Map();
    const earlier = opts.reuseDuplicates ? new Map<string, Resolved>() : undefined;
    for (const relo of object.ext.coreRelos) {
      if (opts.filter && !opts.filter(relo)) continue;
      if (relo.skipped !== undefined && !opts.resolveSkipped) {
        out.push(skippedOutcome(relo));
        continue;
      }
      const key = earlier ? `${relo.typeId}:${relo.kind}:${relo.accessStr}` : '';
      const same = earlier?.get(key);
      if (same && same.first === cache.get(relo.typeId)?.[0]) {
        out.push(checkPatch({ ...same.outcome, relo }, object.file));
        continue;
      }
      matched.clear();
      const outcome = this.resolveValue(object, relo, cache, matched);
      if (opts.unpruned)
        (outcome as UnprunedOutcome).unprunedMatches = this.unprunedMatches(object, relo, outcome, matched);
      earlier?.set(key, { outcome, first: cache.get(relo.typeId)?.[0] });
      out.push(checkPatch(outcome, object.file));
    }
    return out;
  }

  /** The candidates of local type `localId` of `local` (fresh list, ascending ids). */
  candidates(local: Btf, localId: number): number[] {
    return this.index.candidates(local, localId);
  }

  /**
   * Resolve one relocation (libbpf bpf_core_calc_relo_insn, docs/core-relocations.md#resolving-one-relocation), using and pruning `cache`,
   * then check what libbpf does to its instruction with the result ({@link patchVerdict}).
   * Never throws for a relocation libbpf rejects: the outcome carries the error instead. `matched`, when given,
   * receives the target spec (or null) of each candidate matched, for {@link unprunedMatches}.
   */
  resolve(object: ObjectBtf, relo: CoreRelo, cache: CandidateCache, matched?: MatchMemo): RelocationOutcome {
    return checkPatch(this.resolveValue(object, relo, cache, matched), object.file);
  }

  /** {@link resolve} without the instruction check. */
  private resolveValue(
    object: ObjectBtf,
    relo: CoreRelo,
    cache: CandidateCache,
    matched?: MatchMemo,
  ): RelocationOutcome {
    const outcome: RelocationOutcome = { relo, matches: [] };
    const local = object.btf;
    if (relo.typeId >= local.typeCount) {
      return failedOutcome(
        outcome,
        object.file,
        new CoreRelocationError(`relocation type id ${relo.typeId} is out of range`),
      );
    }
    if (relo.kind !== ReloKind.TYPE_ID_LOCAL && !cache.has(relo.typeId)) {
      cache.set(relo.typeId, this.index.candidates(local, relo.typeId));
    }
    const localSpec = localSpecOf(local, relo);
    if (localSpec instanceof CoreRelocationError) return failedOutcome(outcome, object.file, localSpec);
    outcome.localSpec = localSpec;
    if (relo.kind === ReloKind.TYPE_ID_LOCAL) {
      const id = BigInt(relo.typeId);
      outcome.result = { ...emptyResult(), origValue: id, newValue: id, validate: false };
      return outcome;
    }
    if (localNameOf(local, relo.typeId) === '') {
      // libbpf's candidate search (bpf_core_find_cands) rejects an anonymous root with -EINVAL before
      // relo_core.c's EOPNOTSUPP check is ever reached.
      return failedOutcome(
        outcome,
        object.file,
        new CoreRelocationError(
          `${reloKindName(relo.kind)} relocation doesn't support anonymous types (target candidate search failed)`,
          {},
          { code: 'EINVAL' },
        ),
      );
    }
    const cands = cache.get(relo.typeId) as number[];
    const kept: number[] = [];
    for (const cand of cands) {
      const spec = matchSpec(localSpec, this.target, cand);
      if (spec instanceof CoreRelocationError) return failedOutcome(outcome, object.file, spec);
      matched?.set(cand, spec);
      if (!spec) continue;
      const res = calcRelocation(relo.kind, localSpec, spec);
      if (res instanceof CoreRelocationError) return failedOutcome(outcome, object.file, res);
      const first = outcome.targetSpec;
      if (!first || !outcome.result) {
        outcome.targetSpec = spec;
        outcome.result = res;
      } else if (spec.bitOffset !== first.bitOffset) {
        return failedOutcome(
          outcome,
          object.file,
          new CoreRelocationError(
            `field offset ambiguity: ${first.bitOffset / 8} != ${spec.bitOffset / 8} (${formatSpec(first)} vs ${formatSpec(spec)})`,
          ),
        );
      } else if (res.poison !== outcome.result.poison || res.newValue !== outcome.result.newValue) {
        return failedOutcome(
          outcome,
          object.file,
          new CoreRelocationError(
            `relocation decision ambiguity: ${outcome.result.newValue} != ${res.newValue} (${formatSpec(first)} vs ${formatSpec(spec)})`,
          ),
        );
      }
      outcome.matches.push(spec);
      kept.push(cand);
    }
    if (kept.length > 0) cache.set(relo.typeId, kept);
    else {
      const res = calcRelocation(relo.kind, localSpec, null);
      if (res instanceof CoreRelocationError) return failedOutcome(outcome, object.file, res);
      outcome.result = res;
    }
    return outcome;
  }

  /**
   * Every candidate of the full list for `relo` whose spec matches, evaluated independently of pruning and of
   * ambiguity errors. Used by the robust minimizer to keep every type a loader might match (docs/btfgen.md#fix-6-every-matching-candidate).
   * Candidates in `matched` (filled by {@link resolve} for the same relocation) are not matched again.
   */
  unprunedMatches(
    object: ObjectBtf,
    relo: CoreRelo,
    outcome: RelocationOutcome,
    matched?: MatchMemo,
  ): CoreSpec[] {
    const localSpec = outcome.localSpec;
    if (!localSpec || relo.kind === ReloKind.TYPE_ID_LOCAL) return [];
    const specs: CoreSpec[] = [];
    for (const cand of this.index.sharedCandidates(object.btf, relo.typeId)) {
      const spec = matched?.has(cand) ? matched.get(cand) : matchSpec(localSpec, this.target, cand);
      // A candidate whose matching fails counts as one that does not match.
      if (spec && !(spec instanceof CoreRelocationError)) specs.push(spec);
    }
    return specs;
  }
}

/**
 * `outcome` turned into the failure `err` of its relocation in `file`: no result, target or matches, the error
 * placed at the relocation. The place is built only here, on the rare failing relocation.
 */
function failedOutcome(
  outcome: RelocationOutcome,
  file: string,
  err: CoreRelocationError,
): RelocationOutcome {
  const { relo } = outcome;
  delete outcome.result;
  delete outcome.targetSpec;
  outcome.matches = [];
  outcome.error = err.withPlace({ file, section: relo.section, relocation: relo.index, typeId: relo.typeId });
  return outcome;
}

/**
 * `outcome` as libbpf leaves it after patching the record's instruction with its result ({@link patchVerdict}):
 * unchanged, a copy with the failure of the relocation, or a copy with the {@link WidthPoison} of a load or store.
 * The record's instruction is known only for objects parsed with their ELF.
 */
function checkPatch(outcome: RelocationOutcome, file: string): RelocationOutcome {
  const { relo, result } = outcome;
  if (outcome.error || !result || !relo.insn) return outcome;
  const verdict = patchVerdict(relo.insn, result, relo.insnOff / 8);
  if (verdict === undefined) return outcome;
  if (verdict instanceof CoreRelocationError) return failedOutcome({ ...outcome }, file, verdict);
  return { ...outcome, widthPoison: verdict.poison };
}

/** Local specs (or why they cannot be parsed) by relocation: they do not depend on the kernel. */
const localSpecs = new WeakMap<CoreRelo, { local: Btf; spec: CoreSpec | CoreRelocationError }>();

/**
 * The local spec of `relo` of `local` (see {@link parseLocalSpec}), or why it cannot be parsed, parsed once per
 * process: a batch resolves the same relocations against every kernel.
 */
function localSpecOf(local: Btf, relo: CoreRelo): CoreSpec | CoreRelocationError {
  let entry = localSpecs.get(relo);
  if (entry?.local !== local) {
    entry = { local, spec: parseLocalSpec(local, relo.typeId, relo.kind, relo.accessStr) };
    localSpecs.set(relo, entry);
  }
  return entry.spec;
}
