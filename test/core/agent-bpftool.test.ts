/**
 * Oracle (a) on the agent-size corpus: `--mode bpftool` output byte-identical to `bpftool gen min_core_btf`, for
 * Debian's bpftool 7.1 and upstream bpftool 7.5 (bookworm-backports, test/oracle/upstream.ts), on all objects
 * together × every x86_64 sample kernel, the stripped set (same bytes as unstripped: only DWARF differs), all in
 * reverse order, and a few objects alone. One bpftool run per case, two at a time.
 */
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimizeBtf } from '../../packages/core/dist/index.js';
import { oracleSkipReason } from '../oracle/availability.js';
import { type BpftoolResult, bpftoolMinCoreBtf } from '../oracle/bpftool.js';
import { BPFTOOLS } from '../oracle/upstream.js';
import { AGENT_SINGLES, agentKernels, agentObjects, agentStrippedDir } from './agent-corpus.js';
import { limited, loadObject, ORACLE_SWEEP_TIMEOUT_MS, referenceKernel, targetBtf } from './corpus.js';

interface Case {
  name: string;
  kernel: string;
  objects: string[];
}

function cases(): Case[] {
  const kernels = agentKernels();
  const newest = kernels[kernels.length - 1] as string;
  const all = kernels.map((kernel) => ({
    name: `all @ ${basename(kernel)}`,
    kernel,
    objects: agentObjects(),
  }));
  const stripped = [referenceKernel(), newest].map((kernel) => ({
    name: `all stripped @ ${basename(kernel)}`,
    kernel,
    objects: agentObjects(agentStrippedDir),
  }));
  const reversed = {
    name: `all reversed @ ${basename(newest)}`,
    kernel: newest,
    objects: agentObjects().reverse(),
  };
  const singles = AGENT_SINGLES.flatMap((o) =>
    [referenceKernel(), newest].map((kernel) => ({
      name: `${basename(o)} @ ${basename(kernel)}`,
      kernel,
      objects: [o],
    })),
  );
  return [...all, ...stripped, reversed, ...singles];
}

for (const tool of BPFTOOLS) {
  const skip = oracleSkipReason(tool.missing());
  describe.skipIf(skip !== undefined)(
    `agent corpus vs ${tool.label}${skip ? ` (skipped: ${skip})` : ''}`,
    () => {
      it(
        'bpftool mode is byte-identical: all objects × each x86_64 kernel, stripped, reversed, single objects',
        async () => {
          const all = cases();
          const results = await limited(all, 2, (c) => bpftoolMinCoreBtf(c.kernel, c.objects, tool.bin));
          const problems: string[] = [];
          for (const [i, c] of all.entries()) {
            const theirs = results[i] as BpftoolResult;
            if (!theirs.ok) {
              problems.push(`${c.name}: ${tool.label} failed: ${theirs.message}`);
              continue;
            }
            const ours = minimizeBtf(await targetBtf(c.kernel), c.objects.map(loadObject), {
              mode: 'bpftool',
            }).btf;
            if (Buffer.compare(ours, theirs.bytes) !== 0)
              problems.push(`${c.name}: differs (${ours.length} vs ${theirs.bytes.length} bytes)`);
          }
          expect(problems, problems.join('\n')).toEqual([]);
          expect(all.length).toBeGreaterThanOrEqual(agentKernels().length + 2);
          console.log(`${tool.label}: ${all.length} agent-corpus cases byte-identical`);
        },
        ORACLE_SWEEP_TIMEOUT_MS,
      );
    },
  );
}
