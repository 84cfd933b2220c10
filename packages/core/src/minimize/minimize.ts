import type { Btf } from '../btf/btf.js';
import { ReloKind } from '../btf/format.js';
import { validateTypes } from '../btf/validate.js';
import type { ObjectBtf } from '../object.js';
import { CoreResolver, type RelocationOutcome } from '../relo/resolver.js';
import type { CoreSpec } from '../relo/spec.js';
import { type ObjectRelocationSummary, summarizeRelocations } from '../report/relocations.js';
import { emitBtf } from './emit.js';
import { Marker, MarkSet } from './marker.js';

// A change to the bytes or relocation counts this produces bumps MINIMIZER_REVISION (version/version.ts).

/**
 * `robust` (default): bpftool's algorithm with the fixes of docs/btfgen.md#robust-mode-fixes and the safe size optimizations of
 * #11 (see {@link MinimizeOptions.compact}). `bpftool`: byte-identical to
 * `bpftool gen min_core_btf` (v7.x), bugs included.
 */
export type MinimizeMode = 'robust' | 'bpftool';

/** Options of {@link minimizeBtf}. */
export interface MinimizeOptions {
  /** Default 'robust'. */
  mode?: MinimizeMode;
  /** Byte order of the output; default little-endian (what bpftool writes on x86_64/arm64). */
  littleEndian?: boolean;
  /**
   * Size optimizations of docs/btfgen.md#compaction that libbpf cannot observe (robust mode only; default true): enums keep
   * only the enumerators enum-value relocations match (whole when TYPE_MATCHES compares them), and references below
   * a relocation root skip typedef/modifier chains (libbpf's CO-RE code skips them there). bpftool mode never
   * compacts.
   */
  compact?: boolean;
}

export type { ObjectRelocationSummary } from '../report/relocations.js';

/** Output of {@link minimizeBtf}. */
export interface MinimizeResult {
  /** The reduced raw BTF. */
  btf: Uint8Array;
  /** Per object, in input order. */
  objects: ObjectRelocationSummary[];
}

/**
 * Reduce `target` (a full kernel BTF) to what the CO-RE relocations of `objects` need (docs/btfgen.md#what-it-does).
 * Objects are processed in order, each with its own candidate cache; marks accumulate into one output.
 * Throws CoreRelocationError (with the object, section and relocation index) when a relocation is one libbpf
 * would reject, MinimizeError when the output cannot be built, and FormatError when a kept type of a `target`
 * parsed with deferred type checks fails them.
 */
export function minimizeBtf(target: Btf, objects: ObjectBtf[], opts: MinimizeOptions = {}): MinimizeResult {
  const mode = opts.mode ?? 'robust';
  const resolver = new CoreResolver(target);
  resolver.prepare(objects);
  const marks = new MarkSet(target);
  const compact = mode === 'robust' && (opts.compact ?? true);
  const marker = new Marker(marks, mode, compact);
  const summaries: ObjectRelocationSummary[] = [];
  // Robust mode marks every candidate a relocation matches, which a duplicate of an earlier relocation shares
  // with it: duplicates are not resolved again (see ResolveObjectOptions.reuseDuplicates), their specs not
  // recorded twice.
  const robust = mode === 'robust';
  const recorded = new Set<CoreSpec>();
  for (const object of objects) {
    // bpftool resolves (and keeps the types of) the records libbpf skips too; their failures, which libbpf never
    // meets, fail nothing.
    const outcomes = resolver.resolveObject(object, {
      unpruned: robust,
      reuseDuplicates: robust,
      resolveSkipped: !robust,
    });
    for (const outcome of outcomes) {
      if (outcome.error && outcome.relo.skipped === undefined) throw outcome.error;
      for (const spec of specsToMark(outcome, mode)) {
        if (recorded.has(spec)) continue;
        recorded.add(spec);
        marker.record(spec);
      }
    }
    summaries.push(summarizeRelocations(object.file, outcomes));
  }
  if (mode === 'robust' && target.guessPointerSize() === 4) marker.keepLongInt();
  // A kernel parsed with deferred type checks: what the output keeps must pass them (the rest is never copied), and
  // so must the chains compaction skipped to reach it, which keeping them would have checked.
  if (!target.typesChecked) validateTypes(target, marks.checkedIds());
  const btf = emitBtf(marks, { mode, compact, littleEndian: opts.littleEndian ?? true });
  return { btf, objects: summaries };
}

function specsToMark(outcome: RelocationOutcome, mode: MinimizeMode) {
  if (outcome.relo.kind === ReloKind.TYPE_ID_LOCAL) return [];
  if (mode === 'robust' && 'unprunedMatches' in outcome) {
    return outcome.unprunedMatches as NonNullable<RelocationOutcome['targetSpec']>[];
  }
  return outcome.targetSpec ? [outcome.targetSpec] : [];
}
