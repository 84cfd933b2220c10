import { ReloKind, reloClass } from '../btf/format.js';
import type { RelocationOutcome } from '../relo/resolver.js';

/**
 * What one CO-RE relocation does to a program on one kernel (docs/coverage-report.md):
 * - `relocated`: libbpf writes the kernel's value (offset, size, id, enumerator, or an existence check's 0/1);
 * - `guarded`: poisoned, but behind an existence check of the same program section that answered 0, so the
 *   code that reaches it is dead and the program still loads;
 * - `poisoned`: poisoned and not guarded; the verifier rejects the program if it can reach it. A load or store
 *   libbpf poisons because its field changed size ({@link RelocationOutcome.widthPoison}) is never guarded: the
 *   field exists, so no existence check that answered 0 is about it;
 * - `error`: libbpf refuses the whole object on this kernel.
 */
export type RelocationVerdict = 'relocated' | 'guarded' | 'poisoned' | 'error';

/**
 * What happens to one CO-RE relocation record: a {@link RelocationVerdict}, or `skipped` when libbpf never applies
 * the record, whatever the kernel (no program of its section holds its instruction).
 */
export type RecordVerdict = RelocationVerdict | 'skipped';

/** How the CO-RE relocations of one object fared against one kernel. */
export interface ObjectRelocationSummary {
  /** Object file name. */
  object: string;
  /** CO-RE relocation records in the object (the skipped ones included). */
  total: number;
  /** Relocations libbpf patches with a value from the kernel (existence checks included, whatever they answer). */
  resolved: number;
  /** Of `resolved`, existence checks (`*_EXISTS`, `TYPE_MATCHES`) that answered 0: the kernel lacks the thing. */
  absent: number;
  /**
   * Relocations whose instruction libbpf poisons: the kernel lacks the field, type or enumerator accessed, or a
   * load or store's field changed size in a way libbpf cannot adjust its width for.
   */
  poisoned: number;
  /** Of `poisoned`, those behind an existence check that answered 0 (see {@link RelocationVerdict}). */
  guarded: number;
  /** Relocations libbpf fails the object load with. */
  errors: number;
  /** TYPE_ID_TARGET relocations: their values are ids of the reduced BTF, meaningless to the kernel. */
  typeIdTarget: number;
  /** Records libbpf never applies (see {@link RecordVerdict}); counted in `total` only. */
  skipped: number;
}

const EXISTS_KINDS = new Set<number>([
  ReloKind.FIELD_EXISTS,
  ReloKind.TYPE_EXISTS,
  ReloKind.TYPE_MATCHES,
  ReloKind.ENUMVAL_EXISTS,
]);

const isAbsentCheck = (o: RelocationOutcome) =>
  o.relo.skipped === undefined &&
  EXISTS_KINDS.has(o.relo.kind) &&
  o.result !== undefined &&
  !o.result.poison &&
  o.result.newValue === 0n;

/**
 * The verdict of each outcome (same order). A poisoned relocation counts as guarded when an existence check in
 * the same section, on the same local root type, answered 0 and checks the same access or a prefix of it (a
 * type-level check covers every access on its type): the usual `if (bpf_core_field_exists(...))` pattern.
 */
export function relocationVerdicts(outcomes: readonly RelocationOutcome[]): RecordVerdict[] {
  const absentChecks = new Map<string, RelocationOutcome[]>();
  const rootOf = (o: RelocationOutcome) => `${o.relo.section}\0${o.relo.typeId}`;
  for (const o of outcomes) {
    if (!isAbsentCheck(o)) continue;
    const list = absentChecks.get(rootOf(o));
    if (list) list.push(o);
    else absentChecks.set(rootOf(o), [o]);
  }
  const guarded = (o: RelocationOutcome) =>
    (absentChecks.get(rootOf(o)) ?? []).some(
      (c) =>
        reloClass(c.relo.kind) === 'type' ||
        o.relo.accessStr === c.relo.accessStr ||
        o.relo.accessStr.startsWith(`${c.relo.accessStr}:`),
    );
  return outcomes.map((o) => {
    if (o.relo.skipped !== undefined) return 'skipped';
    if (o.error || !o.result) return 'error';
    if (o.widthPoison !== undefined) return 'poisoned';
    if (!o.result.poison) return 'relocated';
    return guarded(o) ? 'guarded' : 'poisoned';
  });
}

/** Counts the outcomes of one object's relocations against one kernel (the one count `build` and `explain` use). */
export function summarizeRelocations(
  object: string,
  outcomes: readonly RelocationOutcome[],
): ObjectRelocationSummary {
  const summary: ObjectRelocationSummary = {
    object,
    total: outcomes.length,
    resolved: 0,
    absent: 0,
    poisoned: 0,
    guarded: 0,
    errors: 0,
    typeIdTarget: 0,
    skipped: 0,
  };
  relocationVerdicts(outcomes).forEach((verdict, i) => {
    const o = outcomes[i]!;
    if (verdict === 'skipped') {
      summary.skipped++;
      return;
    }
    if (o.relo.kind === ReloKind.TYPE_ID_TARGET) summary.typeIdTarget++;
    if (verdict === 'relocated') {
      summary.resolved++;
      if (isAbsentCheck(o)) summary.absent++;
    } else if (verdict === 'error') summary.errors++;
    else {
      summary.poisoned++;
      if (verdict === 'guarded') summary.guarded++;
    }
  });
  return summary;
}
