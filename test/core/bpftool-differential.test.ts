/**
 * Oracle (a): our minimizer vs `bpftool gen min_core_btf` (bpftool 7.x).
 *
 * - every manifest pair (synthetic targets, all real objects together against every sample-snapshot
 *   kernel, multi-object sets): `bpftool` mode is byte-identical to bpftool (Debian's 7.1 and upstream 7.5,
 *   which agree on every pair); `robust` mode is identical
 *   too except for the pairs listed in ROBUST_DIFFERS / BPFTOOL_FAILS (docs/btfgen.md#robust-mode-fixes fixes, each shown by a
 *   named test in bpftool-fixes.test.ts);
 * - the all-pairs sweep: every edge object × every synthetic target, `bpftool` mode byte-identical
 *   wherever bpftool succeeds.
 */
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf, CoreRelocationError, Kind, minimizeBtf } from '../../packages/core/dist/index.js';
import { bpftoolMissing, oracleSkipReason } from '../oracle/availability.js';
import { type BpftoolResult, bpftoolMinCoreBtf, bpftoolMinCoreBtfOk } from '../oracle/bpftool.js';
import { renameString, shiftEnumValue, shiftMemberOffset } from '../oracle/btf-patch.js';
import { BPFTOOLS } from '../oracle/upstream.js';
import {
  allEdgeObjects,
  allTargets,
  BPFTOOL_FAILS,
  kernelPairs,
  limited,
  loadObject,
  manifestPairs,
  ORACLE_SWEEP_TIMEOUT_MS,
  type Pair,
  ROBUST_DIFFERS,
  targetBtf,
  testdata,
} from './corpus.js';

function isBpfeb(pair: Pair): boolean {
  return pair.objects.some((o) => basename(o).includes('_bpfeb.'));
}

function ours(btf: Awaited<ReturnType<typeof targetBtf>>, objects: string[], mode: 'robust' | 'bpftool') {
  try {
    // Compaction (docs/btfgen.md#compaction) is proven separately in bpftool-fixes.test.ts; here robust = fixes #5-#10.
    return {
      ok: true as const,
      bytes: minimizeBtf(btf, objects.map(loadObject), { mode, compact: false }).btf,
    };
  } catch (err) {
    return { ok: false as const, error: err };
  }
}

const skip = oracleSkipReason(bpftoolMissing());

describe.skipIf(skip !== undefined)(
  `minimizer vs bpftool gen min_core_btf${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const pairs = [...manifestPairs(), ...kernelPairs()];

    for (const tool of BPFTOOLS) {
      const toolSkip = oracleSkipReason(tool.missing());
      it.skipIf(toolSkip !== undefined)(
        `${tool.label}, manifest pairs (${pairs.length}): bpftool mode byte-identical, robust identical except docs/btfgen.md#robust-mode-fixes fixes${toolSkip ? ` (skipped: ${toolSkip})` : ''}`,
        async () => {
          const results = await limited(pairs, 2, (p) => bpftoolMinCoreBtf(p.target, p.objects, tool.bin));
          const problems: string[] = [];
          let compared = 0;
          for (const [i, pair] of pairs.entries()) {
            const upstream = results[i] as BpftoolResult;
            const target = await targetBtf(pair.target);
            const bpftoolMode = ours(target, pair.objects, 'bpftool');
            const robust = ours(target, pair.objects, 'robust');
            if (pair.expectError) {
              // libbpf rejects a relocation: bpftool fails and so do we, with a typed relocation error.
              if (upstream.ok) problems.push(`${pair.name}: bpftool succeeded on an error object`);
              for (const r of [bpftoolMode, robust]) {
                if (r.ok || !(r.error instanceof CoreRelocationError))
                  problems.push(`${pair.name}: expected CoreRelocationError`);
              }
              continue;
            }
            if (!upstream.ok) {
              // bpftool failures we fix: non-native .BTF.ext (bpfeb), docs/btfgen.md#robust-mode-fixes.
              const known = isBpfeb(pair) || BPFTOOL_FAILS[pair.name] !== undefined;
              if (!known) problems.push(`${pair.name}: bpftool failed unexpectedly: ${upstream.message}`);
              if (!robust.ok) problems.push(`${pair.name}: robust failed: ${String(robust.error)}`);
              continue;
            }
            compared++;
            if (!bpftoolMode.ok)
              problems.push(`${pair.name}: bpftool mode failed: ${String(bpftoolMode.error)}`);
            else if (Buffer.compare(bpftoolMode.bytes, upstream.bytes) !== 0) {
              problems.push(
                `${pair.name}: bpftool mode differs (${bpftoolMode.bytes.length} vs ${upstream.bytes.length} bytes)`,
              );
            }
            if (!robust.ok) problems.push(`${pair.name}: robust failed: ${String(robust.error)}`);
            else {
              const same = Buffer.compare(robust.bytes, upstream.bytes) === 0;
              const fix = ROBUST_DIFFERS[pair.name];
              if (!same && fix === undefined)
                problems.push(
                  `${pair.name}: robust differs from bpftool without a docs/btfgen.md#robust-mode-fixes reason`,
                );
              if (same && fix !== undefined)
                problems.push(`${pair.name}: expected robust to differ (${fix})`);
            }
          }
          expect(problems, problems.join('\n')).toEqual([]);
          expect(compared).toBeGreaterThanOrEqual(25);
          console.log(`${tool.label} differential: ${pairs.length} pairs, ${compared} byte-compared`);
        },
        ORACLE_SWEEP_TIMEOUT_MS,
      );
    }

    it('all-pairs sweep: every edge object × every synthetic target, bpftool mode byte-identical where bpftool succeeds', async () => {
      const objects = allEdgeObjects();
      const targets = allTargets();
      const sweep = objects.flatMap((o) => targets.map((t) => ({ o, t })));
      const results = await limited(sweep, 2, ({ o, t }) => bpftoolMinCoreBtf(t, [o]));
      const problems: string[] = [];
      let identical = 0;
      let bpftoolFailed = 0;
      for (const [i, { o, t }] of sweep.entries()) {
        const upstream = results[i] as BpftoolResult;
        if (!upstream.ok) {
          bpftoolFailed++;
          continue;
        }
        const r = ours(await targetBtf(t), [o], 'bpftool');
        if (!r.ok)
          problems.push(`${basename(o)} @ ${basename(t)}: bpftool ok, we failed: ${String(r.error)}`);
        else if (Buffer.compare(r.bytes, upstream.bytes) !== 0)
          problems.push(`${basename(o)} @ ${basename(t)}: differs`);
        else identical++;
      }
      expect(problems, problems.join('\n')).toEqual([]);
      console.log(
        `bpftool sweep: ${sweep.length} pairs, ${identical} byte-identical, ${bpftoolFailed} bpftool failures`,
      );
      expect(identical).toBeGreaterThan(300);
    });

    it('reports a difference on a corrupted output (member moved, enumerator changed, type missing)', async () => {
      const enumsT = join(testdata, 'targets/enums.o');
      const enumsO = join(testdata, 'enums.bpf.o');
      const upstream = await bpftoolMinCoreBtfOk(enumsT, [enumsO]);
      const ours = minimizeBtf(await targetBtf(enumsT), [loadObject(enumsO)], { mode: 'bpftool' }).btf;
      expect(Buffer.compare(ours, upstream)).toBe(0);
      expect(Buffer.compare(shiftEnumValue(ours, 'en', 'EN_B', 1), upstream)).not.toBe(0);
      expect(Buffer.compare(renameString(ours, 'en'), upstream)).not.toBe(0);
      const bfT = join(testdata, 'targets/bitfields.o');
      const bfO = join(testdata, 'bitfields.bpf.o');
      const bf = await bpftoolMinCoreBtfOk(bfT, [bfO]);
      const mine = minimizeBtf(await targetBtf(bfT), [loadObject(bfO)], { mode: 'bpftool' }).btf;
      const struct = Btf.parse(mine);
      const comp = Array.from({ length: struct.typeCount }, (_, id) => id).find(
        (id) => (struct.kind(id) === Kind.STRUCT || struct.kind(id) === Kind.UNION) && struct.vlen(id) > 0,
      )!;
      const moved = shiftMemberOffset(mine, struct.name(comp), struct.memberName(comp, 0), 8);
      expect(Buffer.compare(moved, bf)).not.toBe(0);
    });
  },
);
