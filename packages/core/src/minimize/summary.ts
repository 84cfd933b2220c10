import { ReloKind, reloClass } from '../btf/format.js';
import type { RelocationOutcome } from '../core/resolver.js';
import type { ObjectRelocationSummary } from './minimize.js';

const EXISTS_KINDS = new Set<number>([
  ReloKind.FIELD_EXISTS,
  ReloKind.TYPE_EXISTS,
  ReloKind.TYPE_MATCHES,
  ReloKind.ENUMVAL_EXISTS,
]);

/**
 * Count resolved and poisoned relocations of one object. A relocation without target counts as guarded when an
 * existence check in the same section, on the same local root type, evaluated to 0 and checks the same access
 * (or a prefix of it; a type-level check covers every access on that type) — the usual
 * `if (bpf_core_field_exists(...))` / `bpf_core_type_exists(...)` pattern.
 */
export function summarizeRelocations(object: string, outcomes: RelocationOutcome[]): ObjectRelocationSummary {
  // Failed checks by section and root type: a relocation looks only at those of its own.
  const failedChecks = new Map<string, RelocationOutcome[]>();
  const place = (o: RelocationOutcome) => `${o.relo.typeId} ${o.relo.section}`;
  for (const o of outcomes) {
    if (!EXISTS_KINDS.has(o.relo.kind) || o.result === undefined || o.result.newValue !== 0n) continue;
    const same = failedChecks.get(place(o));
    if (same) same.push(o);
    else failedChecks.set(place(o), [o]);
  }
  const guardedBy = (o: RelocationOutcome) =>
    failedChecks
      .get(place(o))
      ?.some(
        (c) =>
          reloClass(c.relo.kind) === 'type' ||
          o.relo.accessStr === c.relo.accessStr ||
          o.relo.accessStr.startsWith(`${c.relo.accessStr}:`),
      ) ?? false;
  const summary: ObjectRelocationSummary = {
    object,
    total: outcomes.length,
    resolved: 0,
    poisoned: 0,
    guarded: 0,
    typeIdTarget: 0,
  };
  for (const o of outcomes) {
    if (o.relo.kind === ReloKind.TYPE_ID_TARGET) summary.typeIdTarget++;
    if (o.relo.kind === ReloKind.TYPE_ID_LOCAL || o.matches.length > 0) {
      summary.resolved++;
      continue;
    }
    summary.poisoned++;
    if (guardedBy(o)) summary.guarded++;
  }
  return summary;
}
