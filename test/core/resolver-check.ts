/**
 * Our CO-RE resolver against one libbpf run on a full target: each relocation gets the value libbpf patched
 * (TYPE_ID_TARGET: the same target kind + name; a load's new width too), is poisoned where libbpf poisons it
 * (no match, or an unsafe load-width change), fails with libbpf's errno, and is skipped where libbpf skips it (no program holds its
 * instruction). Shared by the resolver oracle tests.
 */
import { basename } from 'node:path';
import { type Btf, CoreResolver, kindName, ReloKind } from '../../packages/core/dist/index.js';
import type { LibbpfRun } from '../oracle/libbpf.js';
import { ERRNO, loadObject } from './corpus.js';

/** What {@link resolverMismatches} found. */
export interface ResolverCheck {
  /** One line per relocation where we disagree with libbpf. */
  problems: string[];
  /** Relocations compared (those libbpf never reached after an error excluded). */
  compared: number;
}

/** Resolves the object at `path` against `target` and compares every relocation with libbpf's `run` of it. */
export function resolverMismatches(target: Btf, path: string, run: LibbpfRun, label: string): ResolverCheck {
  const ours = new Map(
    new CoreResolver(target)
      .resolveObject(loadObject(path))
      .map((o) => [`${o.relo.section}#${o.relo.indexInGroup}`, o]),
  );
  const problems: string[] = [];
  let compared = 0;
  for (const r of run.relocations) {
    const key = `${r.section}#${r.reloIndex}`;
    const o = ours.get(key);
    const where = `${label} ${basename(path)} ${key} ${r.kindName}`;
    if (!o) {
      problems.push(`${where}: missing from ours`);
      continue;
    }
    // libbpf skips a record no program holds (its log says "weak subprogram"): ours must say it skips it too.
    const libbpfSkips = r.outcome === 'skipped' && r.reason === 'weak-eliminated';
    if (libbpfSkips !== (o.relo.skipped !== undefined)) {
      problems.push(`${where}: libbpf ${r.outcome}, ours ${o.relo.skipped ?? 'applied'}`);
      continue;
    }
    if (r.outcome === 'skipped') {
      if (libbpfSkips) compared++;
      continue; // otherwise after an earlier libbpf error
    }
    compared++;
    if (r.outcome === 'error') {
      if (!o.error || ERRNO[o.error.code] !== r.errno)
        problems.push(`${where}: libbpf errno ${r.errno}, ours ${o.error?.code ?? 'no error'}`);
    } else if (o.error) {
      problems.push(`${where}: ours error ${o.error.message}, libbpf ${r.outcome}`);
    } else if (r.outcome === 'poison') {
      const poisoned = r.reason === 'no-match' ? o.result?.poison : o.widthPoison !== undefined;
      if (!poisoned) problems.push(`${where}: libbpf poison (${r.reason}), ours ${o.result?.newValue}`);
    } else if (o.widthPoison !== undefined) {
      problems.push(`${where}: ours poisons the load/store, libbpf ${r.outcome}`);
    } else if (r.memSize && (r.memSize.old !== o.result?.origSize || r.memSize.new !== o.result?.newSize)) {
      problems.push(
        `${where}: libbpf mem_sz ${r.memSize.old} -> ${r.memSize.new}, ours ${o.result?.origSize} -> ${o.result?.newSize}`,
      );
    } else if (r.kind === ReloKind.TYPE_ID_TARGET) {
      const id = Number(o.result?.newValue ?? 0);
      const name = id === 0 ? null : { kind: kindName(target.kind(id)).toLowerCase(), name: target.name(id) };
      if (JSON.stringify(name) !== JSON.stringify(r.target ?? null))
        problems.push(`${where}: target ${JSON.stringify(r.target)} vs ${JSON.stringify(name)}`);
    } else if (o.result?.poison || o.result?.newValue !== r.value) {
      problems.push(
        `${where}: libbpf value ${r.value}, ours ${o.result?.poison ? 'poison' : o.result?.newValue}`,
      );
    }
  }
  return { problems, compared };
}
