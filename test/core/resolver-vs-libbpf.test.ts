/**
 * Our CO-RE resolver vs libbpf itself (spec §5.2 "resolver mode"): for every manifest pair, each relocation
 * against the *full* target gets the value libbpf patches (TYPE_ID_TARGET: same target kind + name), is
 * poisoned when libbpf poisons it (no match, or unsafe load-width change), and fails with libbpf's errno.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreResolver, kindName, ReloKind } from '../../packages/core/dist/index.js';
import { libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { libbpfRelocate } from '../oracle/libbpf.js';
import { ERRNO, kernelPairs, loadObject, manifestPairs, targetBtf } from './corpus.js';

const skip = oracleSkipReason(libbpfHarnessMissing());

describe.skipIf(skip !== undefined)(
  `resolver vs libbpf on full targets${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const pairs = [...manifestPairs(), ...kernelPairs()].filter(
      (p) => !p.objects.some((o) => o.includes('_bpfeb')),
    );

    it(`every relocation of every pair (${pairs.length}) gets libbpf's outcome`, async () => {
      const problems: string[] = [];
      let compared = 0;
      for (const pair of pairs) {
        const target = await targetBtf(pair.target);
        const resolver = new CoreResolver(target);
        for (const path of pair.objects) {
          const object = loadObject(path);
          const ours = new Map(
            resolver.resolveObject(object).map((o) => [`${o.relo.section}#${o.relo.indexInGroup}`, o]),
          );
          const run = await libbpfRelocate(path, pair.target);
          for (const r of run.relocations) {
            const key = `${r.section}#${r.reloIndex}`;
            const o = ours.get(key);
            const where = `${pair.name} ${basename(path)} ${key} ${r.kindName}`;
            if (!o) {
              problems.push(`${where}: missing from ours`);
              continue;
            }
            if (r.outcome === 'skipped') continue; // after an earlier libbpf error
            compared++;
            if (r.outcome === 'error') {
              if (!o.error || ERRNO[o.error.code] !== r.errno)
                problems.push(`${where}: libbpf errno ${r.errno}, ours ${o.error?.code ?? 'no error'}`);
            } else if (o.error) {
              problems.push(`${where}: ours error ${o.error.message}, libbpf ${r.outcome}`);
            } else if (r.outcome === 'poison') {
              const poisoned = r.reason === 'no-match' ? o.result?.poison : o.result?.failMemszAdjust;
              if (!poisoned)
                problems.push(`${where}: libbpf poison (${r.reason}), ours ${o.result?.newValue}`);
            } else if (r.kind === ReloKind.TYPE_ID_TARGET) {
              const id = Number(o.result?.newValue ?? 0);
              const name =
                id === 0 ? null : { kind: kindName(target.kind(id)).toLowerCase(), name: target.name(id) };
              if (JSON.stringify(name) !== JSON.stringify(r.target ?? null))
                problems.push(`${where}: target ${JSON.stringify(r.target)} vs ${JSON.stringify(name)}`);
            } else if (o.result?.poison || o.result?.newValue !== r.value) {
              problems.push(
                `${where}: libbpf value ${r.value}, ours ${o.result?.poison ? 'poison' : o.result?.newValue}`,
              );
            }
          }
        }
      }
      expect(problems, problems.join('\n')).toEqual([]);
      console.log(`resolver vs libbpf: ${pairs.length} pairs, ${compared} relocations`);
    });
  },
);
