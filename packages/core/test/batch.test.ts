import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { agentDir } from '../../../test/core/agent-corpus.js';
import { extractBtfTarXz } from '../../../test/oracle/btf-files.js';
// Workers load the built package: test the built package.
import { type KernelOutcome, runKernelTasks } from '../dist/internal.js';
import { defaultLanes, setupRelocations } from '../src/batch/lanes.js';
import { workerExecArgv } from '../src/batch/pool.js';
import { readBpfObject } from '../src/object.js';
import { relocationSignature } from '../src/object-signature.js';
import { SAMPLE_OBJECTS, sampleKernels } from './build-fixtures.js';

describe('runKernelTasks', () => {
  it.each([
    ['worker threads only', { workers: 2 }, /^worker crashed/],
    // either lane may take the crashing task
    [
      'the main thread as one lane',
      { workers: 2, useMainThread: true },
      /^(worker crashed|failed on the main thread)/,
    ],
    [
      'the main thread alone',
      { workers: 1, useMainThread: true },
      /^failed on the main thread: no objects for arch/,
    ],
  ] as const)(
    'isolates a crashing task and a failing kernel from the others, in task order (%s)',
    async (_, lanes, crash) => {
      const parsed = SAMPLE_OBJECTS.map((p) => readBpfObject(p, p.split('/').at(-1)!));
      const setup = {
        objectSets: {
          x86_64: {
            objects: parsed.map((o) => ({ name: o.file, sections: o.sections })),
            signatures: parsed.map(relocationSignature),
          },
        },
        cacheDir: null,
        mode: 'robust' as const,
      };
      const kernel = sampleKernels().find((p) => p.includes('/x86_64/'))!;
      const tasks = [
        { id: 'a', path: kernel, arch: 'x86_64' },
        { id: 'crash', path: kernel, arch: 'no-such-arch' }, // throws outside the task's error handling
        { id: 'missing', path: '/nonexistent.btf', arch: 'x86_64' },
        { id: 'b', path: kernel, arch: 'x86_64' },
      ];
      const seen: KernelOutcome[] = [];
      const outcomes = await runKernelTasks(tasks, setup, { ...lanes, onOutcome: (o) => seen.push(o) });
      expect(outcomes.map((o) => o.id)).toEqual(['a', 'crash', 'missing', 'b']);
      expect(outcomes.map((o) => o.status)).toEqual(['covered', 'failed', 'failed', 'covered']);
      expect(outcomes[1]).toMatchObject({
        failure: 'error',
        reason: expect.stringMatching(crash),
      });
      expect(outcomes[2]).toMatchObject({ failure: 'unreadable' });
      expect(seen.length).toBe(4);
      const [a, , , b] = outcomes;
      if (a?.status !== 'covered' || b?.status !== 'covered') throw new Error('expected covered');
      expect(Buffer.compare(a.btf, b.btf)).toBe(0);
    },
  );
});

describe('defaultLanes', () => {
  const tasks = (n: number, suffix: string, arch = 'x86_64') =>
    Array.from({ length: n }, (_, i) => ({ id: `k${i}`, path: `/k/${i}${suffix}`, arch }));
  /** The relocations of the 4 real objects and of the 51-object agent corpus. */
  const FOUR = { x86_64: 97 };
  const AGENT = { x86_64: 1395 };

  it('starts a lane only for as much work as pays for it, never more than the cores, at least one', () => {
    expect(defaultLanes([], AGENT, 8)).toBe(1);
    expect(defaultLanes(tasks(8, '.btf'), AGENT, 8)).toBe(1);
    expect(defaultLanes(tasks(26, '.btf'), AGENT, 8)).toBe(1);
    expect(defaultLanes(tasks(200, '.btf'), AGENT, 8)).toBe(6);
    expect(defaultLanes(tasks(1000, '.btf'), AGENT, 8)).toBe(8);
    expect(defaultLanes(tasks(1000, '.btf'), AGENT, 2)).toBe(2);
  });

  it('chooses as the benchmark rows measured on 2 cores', () => {
    // 128 raw kernels (8 × 16) for the 4 objects: two lanes were slower (0.74 s against 0.70 s on one).
    expect(defaultLanes(tasks(128, '.btf'), FOUR, 2)).toBe(1);
    // 8 .btf.tar.xz for the same objects: decoded by the system xz (in child processes, beside the lanes), two
    // lanes were slower (wall 1.17× one lane's); by the WASM decoder on the lanes' threads, faster (0.86×).
    expect(defaultLanes(tasks(8, '.btf.tar.xz'), FOUR, 2, 'native')).toBe(1);
    expect(defaultLanes(tasks(8, '.btf.tar.xz'), FOUR, 2, 'wasm')).toBe(2);
    // 26 .btf.tar.xz for the 51 agent objects, system xz: two lanes (wall 0.99× one lane's on a loaded machine).
    expect(defaultLanes(tasks(26, '.btf.tar.xz'), AGENT, 2, 'native')).toBe(2);
    // 26 raw kernels for the 51 agent objects: one lane.
    expect(defaultLanes(tasks(26, '.btf'), AGENT, 2)).toBe(1);
  });

  it('weighs the work of a kernel, and a lane’s start, by the relocations of its arch’s objects', () => {
    expect(defaultLanes(tasks(200, '.btf'), FOUR, 8)).toBe(2);
    expect(defaultLanes(tasks(200, '.btf'), AGENT, 8)).toBe(6);
    // Kernels of an arch without objects cost their reading only.
    expect(defaultLanes(tasks(80, '.btf'), AGENT, 8)).toBe(2);
    expect(defaultLanes(tasks(80, '.btf', 'arm64'), AGENT, 8)).toBe(1);
  });

  it('weighs .btf.tar.xz kernels (decompression) above raw ones, more when the WASM decoder reads them', () => {
    expect(defaultLanes(tasks(26, '.btf.tar.xz'), AGENT, 8, 'native')).toBeGreaterThan(
      defaultLanes(tasks(26, '.btf'), AGENT, 8),
    );
    expect(defaultLanes(tasks(26, '.btf.tar.xz'), AGENT, 8, 'wasm')).toBeGreaterThan(
      defaultLanes(tasks(26, '.btf.tar.xz'), AGENT, 8, 'native'),
    );
  });
});

describe('setupRelocations', () => {
  it('bounds the CO-RE relocations of each arch’s objects from their .BTF.ext headers', () => {
    const objects = SAMPLE_OBJECTS.map((p) => readBpfObject(p));
    expect(objects.every((o) => o.ext.coreRelos.length > 0)).toBe(true);
    const set = (os: typeof objects) => ({
      objects: os.map((o) => ({ name: o.file, sections: o.sections })),
      signatures: [],
    });
    const counts = setupRelocations({
      objectSets: { x86_64: set(objects), arm64: set(objects.slice(1)) },
      cacheDir: null,
      mode: 'robust',
    });
    // Record bytes over 16: each group header (8 bytes) may add half a record to the exact count.
    for (const [arch, os] of [
      ['x86_64', objects],
      ['arm64', objects.slice(1)],
    ] as const) {
      const exact = os.reduce((sum, o) => sum + o.ext.coreRelos.length, 0);
      const groups = os.reduce((sum, o) => sum + new Set(o.ext.coreRelos.map((r) => r.group)).size, 0);
      expect(counts[arch]).toBeGreaterThanOrEqual(exact);
      expect(counts[arch]).toBeLessThanOrEqual(exact + groups);
    }
  });
});

describe('worker lanes', () => {
  it('inherit the Node options of the process except --input-type, which Node refuses in a worker', () => {
    expect(
      workerExecArgv(['--input-type=module', '--conditions', 'x', '--input-type', 'commonjs', '-e', 'y']),
    ).toEqual(['--conditions', 'x', '-e', 'y']);
  });

  // Node 20 tears a terminated worker's isolate down without waiting for its background compiler jobs, and then
  // aborts the whole process now and then ("Assertion failed: (data.first) != nullptr"); a worker that exits on
  // its own lets Node drain them first. `terminate()` shows as exit code 1, an exit of its own as 0. The script
  // runs under `--input-type=module -e`, which the workers inherit, and in a child process, so that an abort
  // fails this test instead of the test runner.
  it('end by exiting on their own, many pools one after another in one process, even under node -e', () => {
    const kernel = extractBtfTarXz(sampleKernels().find((p) => p.includes('/x86_64/'))!);
    const script = `
      import { readdirSync } from 'node:fs';
      import { runKernelTasks } from ${JSON.stringify(new URL('../dist/internal.js', import.meta.url).href)};
      import { readBpfObject } from ${JSON.stringify(new URL('../dist/object.js', import.meta.url).href)};
      const exits = [];
      process.on('worker', (worker) => worker.on('exit', (code) => exits.push(code)));
      const dir = ${JSON.stringify(agentDir)};
      const parsed = readdirSync(dir).filter((f) => f.endsWith('.o')).sort().slice(0, 20)
        .map((f) => readBpfObject(dir + '/' + f, f));
      const objects = parsed.map((o) => ({ name: o.file, sections: o.sections }));
      const setup = { objectSets: { x86_64: { objects, signatures: [] } }, cacheDir: null, mode: 'robust' };
      const tasks = [0, 1, 2].map((i) => ({ id: 'k' + i, path: ${JSON.stringify(kernel)}, arch: 'x86_64' }));
      const statuses = new Set();
      for (let round = 0; round < 20; round++) {
        for (const o of await runKernelTasks(tasks, setup, { workers: 2 })) statuses.add(o.status);
      }
      process.on('exit', () => console.log(JSON.stringify({ statuses: [...statuses], exits: [...new Set(exits)], workers: exits.length })));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toEqual({ statuses: ['covered'], exits: [0], workers: 40 });
  }, 120_000);
});
