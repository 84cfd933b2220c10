/**
 * The scale-benchmark generator (bench/lib/gen-objects.ts) makes what it is asked for: N objects with exactly
 * M CO-RE relocations each, the same bytes for the same seed, without DWARF when asked, and objects bpftool and
 * we reduce identically. Needs clang-19 (and llvm-strip-19, bpftool): skipped with the reason locally, an error
 * under CI=true.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateObjects } from '../../bench/lib/gen-objects.js';
import { minimizeBtf } from '../../packages/core/dist/index.js';
import { bpftoolMissing, oracleSkipReason } from '../oracle/availability.js';
import { bpftoolMinCoreBtfOk } from '../oracle/bpftool.js';
import { oracleTempDir } from '../oracle/btf-files.js';
import { loadObject, referenceKernel, targetBtf } from './corpus.js';

function toolMissing(tool: string): string | undefined {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${tool} not found (apt install clang-19 llvm-19)`;
}

const skip = oracleSkipReason(toolMissing('clang-19'), toolMissing('llvm-strip-19'), bpftoolMissing());

describe.skipIf(skip !== undefined)(`gen-objects${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('makes N objects × M relocations, deterministically, and bpftool reduces them like we do', async () => {
    const kernel = referenceKernel();
    const options = { kernel, objects: 2, relocations: 70, seed: 7 };
    const [a, b] = [oracleTempDir('gen-objects-a-'), oracleTempDir('gen-objects-b-')];
    const first = await generateObjects({ ...options, cacheDir: a });
    const again = await generateObjects({ ...options, cacheDir: b, jobs: 1 });
    expect(first).toHaveLength(2);
    for (const [i, path] of first.entries()) {
      expect(loadObject(path).ext.coreRelos, path).toHaveLength(70);
      expect(readFileSync(path).equals(readFileSync(again[i] as string)), path).toBe(true);
      expect(loadObject(path).elf.section('.debug_info'), path).toBeDefined();
    }
    const stripped = await generateObjects({ ...options, cacheDir: a, dwarf: false });
    for (const path of stripped) expect(loadObject(path).elf.section('.debug_info'), path).toBeUndefined();
    const other = await generateObjects({ ...options, seed: 8, objects: 1, cacheDir: a });
    expect(readFileSync(other[0] as string).equals(readFileSync(first[0] as string))).toBe(false);

    const theirs = await bpftoolMinCoreBtfOk(kernel, first);
    const ours = minimizeBtf(await targetBtf(kernel), first.map(loadObject), { mode: 'bpftool' }).btf;
    expect(Buffer.compare(ours, theirs)).toBe(0);
  });
});
