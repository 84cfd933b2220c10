import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// Workers load the built package: test the built package.
import { type KernelOutcome, runKernelTasks } from '../dist/index.js';
import { relocationSignature } from '../src/cache/signature.js';
import { parseBpfObject } from '../src/object.js';
import { SAMPLE_OBJECTS, sampleKernels } from './build-fixtures.js';

describe('runKernelTasks', () => {
  it('isolates a crashing task and a failing kernel from the others, in task order', async () => {
    const objects = SAMPLE_OBJECTS.map((p) => ({
      name: p.split('/').at(-1)!,
      bytes: new Uint8Array(readFileSync(p)),
    }));
    const setup = {
      objectSets: {
        x86_64: {
          objects,
          signatures: objects.map((o) => relocationSignature(parseBpfObject(o.bytes, o.name))),
        },
      },
      cacheDir: null,
      mode: 'robust' as const,
    };
    const kernel = sampleKernels().find((p) => p.includes('/x86_64/'))!;
    const tasks = [
      { id: 'a', path: kernel, arch: 'x86_64' },
      { id: 'crash', path: kernel, arch: 'no-such-arch' }, // the worker throws outside the task's error handling
      { id: 'missing', path: '/nonexistent.btf', arch: 'x86_64' },
      { id: 'b', path: kernel, arch: 'x86_64' },
    ];
    const seen: KernelOutcome[] = [];
    const outcomes = await runKernelTasks(tasks, setup, { workers: 2, onOutcome: (o) => seen.push(o) });
    expect(outcomes.map((o) => o.id)).toEqual(['a', 'crash', 'missing', 'b']);
    expect(outcomes.map((o) => o.status)).toEqual(['covered', 'failed', 'failed', 'covered']);
    expect(outcomes[1]).toMatchObject({
      failure: 'error',
      reason: expect.stringContaining('worker crashed'),
    });
    expect(outcomes[2]).toMatchObject({ failure: 'unreadable' });
    expect(seen.length).toBe(4);
    const [a, , , b] = outcomes;
    if (a?.status !== 'covered' || b?.status !== 'covered') throw new Error('expected covered');
    expect(Buffer.compare(a.btf, b.btf)).toBe(0);
  });
});
