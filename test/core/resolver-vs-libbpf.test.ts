/**
 * Our CO-RE resolver vs libbpf itself (Debian's 1.1 and upstream 1.4.6; docs/verification.md#differential-tests "resolver mode"): for every manifest pair, each relocation
 * against the *full* target gets the value libbpf patches (TYPE_ID_TARGET: same target kind + name), is
 * poisoned when libbpf poisons it (no match, or unsafe load-width change), and fails with libbpf's errno.
 */
import { describe, expect, it } from 'vitest';
import { libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { libbpfRelocate } from '../oracle/libbpf.js';
import { LIBBPFS } from '../oracle/upstream.js';
import { kernelPairs, manifestPairs, ORACLE_SWEEP_TIMEOUT_MS, targetBtf } from './corpus.js';
import { resolverMismatches } from './resolver-check.js';

const skip = oracleSkipReason(libbpfHarnessMissing());

describe.skipIf(skip !== undefined)(
  `resolver vs libbpf on full targets${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const pairs = [...manifestPairs(), ...kernelPairs()].filter(
      (p) => !p.objects.some((o) => o.includes('_bpfeb')),
    );

    for (const lib of LIBBPFS) {
      const libSkip = oracleSkipReason(lib.missing());
      it.skipIf(libSkip !== undefined)(
        `${lib.label}: every relocation of every pair (${pairs.length}) gets libbpf's outcome${libSkip ? ` (skipped: ${libSkip})` : ''}`,
        async () => {
          const problems: string[] = [];
          let compared = 0;
          for (const pair of pairs) {
            const target = await targetBtf(pair.target);
            for (const path of pair.objects) {
              const check = resolverMismatches(
                target,
                path,
                await libbpfRelocate(path, pair.target, { libbpf: lib.build }),
                pair.name,
              );
              problems.push(...check.problems);
              compared += check.compared;
            }
          }
          expect(problems, problems.join('\n')).toEqual([]);
          console.log(`resolver vs ${lib.label}: ${pairs.length} pairs, ${compared} relocations`);
        },
        ORACLE_SWEEP_TIMEOUT_MS,
      );
    }
  },
);
