/**
 * Our CO-RE resolver vs libbpf itself (spec §5.2 "resolver mode"): for every manifest pair, each relocation
 * against the *full* target gets the value libbpf patches (TYPE_ID_TARGET: same target kind + name), is
 * poisoned when libbpf poisons it (no match, or unsafe load-width change), and fails with libbpf's errno.
 */
import { describe, expect, it } from 'vitest';
import { libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { libbpfRelocate } from '../oracle/libbpf.js';
import { kernelPairs, manifestPairs, targetBtf } from './corpus.js';
import { resolverMismatches } from './resolver-check.js';

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
        for (const path of pair.objects) {
          const check = resolverMismatches(target, path, await libbpfRelocate(path, pair.target), pair.name);
          problems.push(...check.problems);
          compared += check.compared;
        }
      }
      expect(problems, problems.join('\n')).toEqual([]);
      console.log(`resolver vs libbpf: ${pairs.length} pairs, ${compared} relocations`);
    });
  },
);
