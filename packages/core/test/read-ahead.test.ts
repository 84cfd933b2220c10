/**
 * A lane decoding its next `.btf.tar.xz` kernel while it minimizes the current one (builds without cache): the
 * same bytes as reading each kernel when it comes, a hostile next archive still bounded and reported as that
 * kernel's typed failure, and no xz process or temporary file left after success, failure or an abandoned
 * read-ahead; through the pool too, with worker lanes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
// Workers load the built package: the pool is tested from it.
import { runKernelTasks } from '../dist/internal.js';
import { type KernelOutcome, KernelProcessor, type KernelTask, type TaskSetup } from '../src/batch/task.js';
import { readBpfObject } from '../src/object.js';
import { relocationSignature } from '../src/object-signature.js';
import { SAMPLE_OBJECTS, sampleKernels } from './build-fixtures.js';
import { liveXzChildren, liveXzTempFiles } from './xz-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  expect(liveXzChildren()).toEqual([]);
  expect(liveXzTempFiles()).toEqual([]);
});

const parsed = SAMPLE_OBJECTS.map((p) => readBpfObject(p, p.split('/').at(-1)!));
const objectSet = {
  objects: parsed.map((o) => ({ name: o.file, sections: o.sections })),
  signatures: parsed.map(relocationSignature),
};
const setup: TaskSetup = {
  objectSets: { x86_64: objectSet, arm64: objectSet },
  cacheDir: null,
  mode: 'robust',
};
const archTask = (path: string, i: number): KernelTask => ({
  id: `k${i}`,
  path,
  arch: path.includes('/x86_64/') ? 'x86_64' : 'arm64',
});
const kernels = sampleKernels().filter((p) => p.endsWith('.btf.tar.xz'));
const tasks = kernels.map(archTask);
const btfOf = (outcome: KernelOutcome) => (outcome.status === 'covered' ? Buffer.from(outcome.btf) : outcome);

/** Each task's outcome from a fresh processor reading it when it comes. */
async function withoutReadAhead(list: KernelTask[]): Promise<KernelOutcome[]> {
  const out: KernelOutcome[] = [];
  for (const task of list) out.push(await new KernelProcessor(setup).run(task));
  return out;
}

/** 1 GiB of zeros after an xz stream (xz -dc decodes the 64 streams of 16 MiB zeros as one run). */
function gibOfZeros(name: string): string {
  const zeros = execFileSync('xz', ['-c', '-0', '-T1'], { input: new Uint8Array(16 << 20) });
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(Array.from({ length: 64 }, () => zeros)));
  return path;
}

describe('a lane reading its next .btf.tar.xz ahead', () => {
  it('gives the bytes reading each kernel when it comes gives', async () => {
    expect(tasks.length).toBeGreaterThanOrEqual(4);
    const expected = await withoutReadAhead(tasks);
    const processor = new KernelProcessor(setup);
    for (const [i, task] of tasks.entries()) {
      const outcome = await processor.run(task, tasks[i + 1]);
      expect(outcome.status, task.path).toBe('covered');
      expect(btfOf(outcome), task.path).toEqual(btfOf(expected[i] as KernelOutcome));
    }
  });

  it('bounds a hostile next archive and reports it as that kernel’s typed failure', async () => {
    const hostile: KernelTask = { id: 'zeros', path: gibOfZeros('gib.btf.tar.xz'), arch: 'x86_64' };
    const corrupt: KernelTask = { id: 'corrupt', path: join(dir, 'corrupt.btf.tar.xz'), arch: 'x86_64' };
    // An xz stream header (the first 12 bytes of a real archive), then garbage.
    const xzHeader = readFileSync(tasks[0]!.path).subarray(0, 12);
    writeFileSync(corrupt.path, Buffer.concat([xzHeader, new Uint8Array(4096).fill(7)]));
    const list = [tasks[0] as KernelTask, hostile, corrupt, tasks[1] as KernelTask];
    const processor = new KernelProcessor(setup);
    const outcomes: KernelOutcome[] = [];
    for (const [i, task] of list.entries()) outcomes.push(await processor.run(task, list[i + 1]));
    expect(outcomes.map((o) => o.status)).toEqual(['covered', 'failed', 'failed', 'covered']);
    expect(outcomes[1]).toMatchObject({
      failure: 'unreadable',
      reason: `${basename(hostile.path)}: archive has no .btf member`,
    });
    expect(outcomes[2]).toMatchObject({
      failure: 'unreadable',
      reason: expect.stringMatching(new RegExp(`^${basename(corrupt.path)}: corrupt \\.tar\\.xz: xz: `)),
    });
    expect(btfOf(outcomes[3] as KernelOutcome)).toEqual(
      btfOf((await withoutReadAhead([tasks[1] as KernelTask]))[0]!),
    );
  });

  it('ends a read-ahead the lane does not use: another kernel came, or the lane closed', async () => {
    const [a, b, c] = tasks as [KernelTask, KernelTask, KernelTask];
    const processor = new KernelProcessor(setup);
    await processor.run(a, b);
    // b is being decoded: one output file (beside the launcher's decoder, its error file)
    expect(liveXzTempFiles().filter((f) => !f.includes('.err'))).toHaveLength(1);
    expect(btfOf(await processor.run(c, a))).toEqual(btfOf((await withoutReadAhead([c]))[0]!));
    await processor.close();
  });

  it('through the pool, with worker lanes and the main thread: same bytes, nothing left behind', async () => {
    const list = [...tasks, ...tasks].map((t, i) => ({ ...t, id: `t${i}` }));
    const expected = await withoutReadAhead(list);
    for (const lanes of [
      { workers: 1, useMainThread: true },
      { workers: 2 },
      { workers: 2, useMainThread: true },
    ]) {
      const outcomes = await runKernelTasks(list, setup, lanes);
      expect(outcomes.map(btfOf), JSON.stringify(lanes)).toEqual(expected.map(btfOf));
      expect(liveXzChildren()).toEqual([]);
      expect(liveXzTempFiles()).toEqual([]);
    }
  });
});
