/**
 * Oracles (b) and (c) on the agent-size corpus, with Debian's libbpf 1.1 and upstream libbpf 1.4.6
 * (bookworm-backports, test/oracle/upstream.ts): for every x86_64 sample kernel, the robust reduced BTF of all
 * objects together relocates every object exactly like the full kernel BTF does (relocation by relocation, all
 * programs; per program for a few objects), and our resolver gives libbpf's outcome for every relocation
 * against the full BTF. One libbpf run per (object, BTF), two at a time; the full run feeds both checks.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimizeBtf } from '../../packages/core/dist/index.js';
import { oracleSkipReason } from '../oracle/availability.js';
import { writeTempBtf } from '../oracle/btf-files.js';
import {
  compareRelocations,
  formatRelocationDifferences,
  type LibbpfBuild,
  libbpfRelocate,
} from '../oracle/libbpf.js';
import { LIBBPFS } from '../oracle/upstream.js';
import { AGENT_SINGLES, agentKernels, agentObjects } from './agent-corpus.js';
import { limited, loadObject, ORACLE_SWEEP_TIMEOUT_MS, targetBtf } from './corpus.js';
import { resolverMismatches } from './resolver-check.js';

interface Tally {
  problems: string[];
  relocations: number;
  resolved: number;
}

/** Relocates `object` against the full `kernel` and the `reduced` BTF (with `only`, one program) and compares. */
async function check(
  object: string,
  kernel: string,
  reduced: string,
  libbpf: LibbpfBuild | undefined,
  only?: string,
): Promise<Tally> {
  const label = `${basename(object)} @ ${basename(kernel)}${only ? ` only ${only}` : ''}`;
  const full = await libbpfRelocate(object, kernel, { libbpf, only });
  const small = await libbpfRelocate(object, reduced, { libbpf, only });
  const problems = formatRelocationDifferences(compareRelocations(full, small))
    .split('\n')
    .filter(Boolean)
    .map((d) => `${label}: ${d}`);
  if (!full.object.relocated) problems.push(`${label}: full BTF did not relocate: ${full.object.message}`);
  let resolved = 0;
  if (only === undefined) {
    const ours = resolverMismatches(await targetBtf(kernel), object, full, basename(kernel));
    problems.push(...ours.problems);
    resolved = ours.compared;
  }
  return { problems, relocations: full.relocations.length, resolved };
}

/** The programs of `object` that hold CO-RE relocations. */
function programsOf(object: string): string[] {
  return [...new Set(loadObject(object).ext.coreRelos.map((r) => r.section))];
}

for (const lib of LIBBPFS) {
  const skip = oracleSkipReason(lib.missing());
  describe.skipIf(skip !== undefined)(
    `agent corpus vs ${lib.label}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      it(
        'reduced BTF relocates every object like the full kernel BTF; our resolver matches libbpf',
        async () => {
          const objects = agentObjects();
          const kernels = agentKernels();
          const problems: string[] = [];
          let relocations = 0;
          let resolved = 0;
          for (const kernel of kernels) {
            const reduced = writeTempBtf(minimizeBtf(await targetBtf(kernel), objects.map(loadObject)).btf);
            const perProgram = kernel === kernels[kernels.length - 1];
            const runs = [
              ...objects.map((o) => ({ o, only: undefined as string | undefined })),
              ...(perProgram ? AGENT_SINGLES.flatMap((o) => programsOf(o).map((only) => ({ o, only }))) : []),
            ];
            for (const t of await limited(runs, 2, (r) => check(r.o, kernel, reduced, lib.build, r.only))) {
              problems.push(...t.problems);
              if (t.resolved > 0) relocations += t.relocations;
              resolved += t.resolved;
            }
          }
          expect(problems, problems.join('\n')).toEqual([]);
          expect(resolved).toBeGreaterThanOrEqual(600 * kernels.length);
          console.log(
            `${lib.label}: ${kernels.length} kernels, ${relocations} relocations equivalent, ${resolved} resolved alike`,
          );
        },
        ORACLE_SWEEP_TIMEOUT_MS,
      );
    },
  );
}
