/**
 * Oracle (b): libbpf (Debian's libbpf 1.1 and upstream 1.4.6, through test/oracle's harness) relocates every object of every
 * manifest pair identically against the full target and against our reduced BTF (robust mode): relocation
 * by relocation, TYPE_ID_TARGET by kind + name, in file order with all programs and per program (`only`,
 * i.e. autoload off for the others). Objects libbpf rejects fail the same way in libbpf and in our
 * resolver (same relocation, same errno). Big-endian objects (libbpf 1.1 cannot read a non-native
 * .BTF.ext) are checked through their little-endian twin relocated against the bpfeb object's output.
 * Finally: the comparison reports a difference on corrupted reduced BTFs.
 */
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoreResolver, minimizeBtf } from '../../packages/core/dist/index.js';
import { libbpfHarnessMissing, oracleSkipReason } from '../oracle/availability.js';
import { writeTempBtf } from '../oracle/btf-files.js';
import {
  formatRelocationDifferences,
  type LibbpfBuild,
  libbpfCompare,
  libbpfRelocate,
} from '../oracle/libbpf.js';
import { LIBBPFS } from '../oracle/upstream.js';
import {
  ERRNO,
  kernelPairs,
  loadObject,
  manifestPairs,
  ORACLE_SWEEP_TIMEOUT_MS,
  type Pair,
  targetBtf,
  testdata,
} from './corpus.js';
import { corruptedOutputs } from './corrupt.js';

/** The object libbpf 1.1 can read for `object`: its little-endian twin for `*_bpfeb` objects. */
function nativeTwin(object: string): string {
  const name = basename(object);
  if (!name.includes('_bpfeb')) return object;
  return join(testdata, name.replace('_bpfeb', ''));
}

/**
 * libbpf differences between full `target` and `reduced` for every object, all programs and per program, with the
 * system's libbpf or `libbpf`.
 */
async function libbpfDifferences(
  objects: string[],
  target: string,
  reduced: string,
  libbpf?: LibbpfBuild,
): Promise<string[]> {
  const out: string[] = [];
  for (const object of objects.map(nativeTwin)) {
    const { full, differences } = await libbpfCompare(object, target, reduced, { libbpf });
    if (!full.object.relocated)
      out.push(`${basename(object)}: full run did not relocate: ${full.object.message}`);
    for (const d of formatRelocationDifferences(differences).split('\n').filter(Boolean)) {
      out.push(`${basename(object)}: ${d}`);
    }
    const programs = [
      ...new Set(full.relocations.map((r) => r.program).filter((p): p is string => p !== null)),
    ];
    if (programs.length < 2) continue;
    for (const only of programs) {
      const { differences } = await libbpfCompare(object, target, reduced, { only, libbpf });
      for (const d of formatRelocationDifferences(differences).split('\n').filter(Boolean)) {
        out.push(`${basename(object)} only ${only}: ${d}`);
      }
    }
  }
  return out;
}

const skip = oracleSkipReason(libbpfHarnessMissing());

describe.skipIf(skip !== undefined)(
  `libbpf relocation equivalence${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const pairs: Pair[] = [...manifestPairs(), ...kernelPairs()];

    for (const lib of LIBBPFS) {
      const libSkip = oracleSkipReason(lib.missing());
      it.skipIf(libSkip !== undefined)(
        `${lib.label}: every pair (${pairs.length}) relocates identically against full and reduced BTF${libSkip ? ` (skipped: ${libSkip})` : ''}`,
        async () => {
          const problems: string[] = [];
          let checked = 0;
          for (const pair of pairs) {
            const btf = await targetBtf(pair.target);
            const objects = pair.objects.map(loadObject);
            if (pair.expectError) {
              // Same error outcome: libbpf fails on the relocation our resolver rejects, with the same errno.
              const ours = new CoreResolver(btf).resolveObject(objects[0]!).find((o) => o.error);
              const run = await libbpfRelocate(pair.objects[0]!, pair.target, { libbpf: lib.build });
              const failed = run.relocations.find((r) => r.outcome === 'error');
              expect(() => minimizeBtf(btf, objects), pair.name).toThrow();
              if (!ours || !failed || failed.outcome !== 'error') {
                problems.push(
                  `${pair.name}: expected an error from both (ours ${String(ours?.error)}, libbpf ${failed?.outcome})`,
                );
              } else if (
                failed.section !== ours.relo.section ||
                failed.reloIndex !== ours.relo.indexInGroup ||
                failed.errno !== ERRNO[ours.error!.code]
              ) {
                problems.push(
                  `${pair.name}: libbpf ${failed.section}#${failed.reloIndex} errno ${failed.errno}, ours ${ours.relo.section}#${ours.relo.indexInGroup} ${ours.error!.code}`,
                );
              }
              checked++;
              continue;
            }
            const reduced = writeTempBtf(minimizeBtf(btf, objects).btf);
            problems.push(
              ...(await libbpfDifferences(pair.objects, pair.target, reduced, lib.build)).map(
                (d) => `${pair.name}: ${d}`,
              ),
            );
            checked++;
          }
          expect(problems, problems.join('\n')).toEqual([]);
          console.log(`${lib.label} equivalence: ${checked} pairs`);
        },
        ORACLE_SWEEP_TIMEOUT_MS,
      );
    }

    it('reports a difference on a corrupted reduced BTF (member moved, enumerator changed, type missing)', async () => {
      const { enums, tcp } = await corruptedOutputs();
      expect(await libbpfDifferences(enums.objects, enums.target, writeTempBtf(enums.intact))).toEqual([]);
      expect(
        await libbpfDifferences(enums.objects, enums.target, writeTempBtf(enums.valueChanged)),
      ).not.toEqual([]);

      const moveDiffs = await libbpfDifferences(tcp.objects, tcp.target, writeTempBtf(tcp.memberMoved));
      expect(moveDiffs.join('\n')).toMatch(/value 30.*reduced value 31/);
      expect(await libbpfDifferences(tcp.objects, tcp.target, writeTempBtf(tcp.typeMissing))).not.toEqual([]);
    });
  },
);
