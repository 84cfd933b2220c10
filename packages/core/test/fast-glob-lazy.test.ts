import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { expandObjectGlobs } from '../src/build/objects.js';
import { UsageError } from '../src/errors.js';
import { isGlobPattern } from '../src/util/fast-glob.js';

describe('isGlobPattern', () => {
  it("agrees with fast-glob's isDynamicPattern", async () => {
    const patterns = [
      'a.bpf.o',
      '/abs/dir/a.bpf.o',
      'dir/a-b_c.d+e.bpf.o',
      'a b.o',
      '*.o',
      'a?.o',
      '[ab].o',
      '[a',
      '{a,b}.o',
      '{a}.o',
      '{1..3}.o',
      '!a.o',
      'a!.o',
      '@(a).o',
      '+(a|b).o',
      '(a|b).o',
      '(a).o',
      'a\\b.o',
      '**/x.o',
      'é.o',
      'a@b.o',
      'a+b.o',
      'a}b{.o',
    ];
    for (const p of patterns) expect(await isGlobPattern(p), p).toBe(fg.isDynamicPattern(p));
  });

  it('takes an empty object pattern as a path (fast-glob throws a TypeError for it): a clear UsageError', async () => {
    expect(await isGlobPattern('')).toBe(false);
    await expect(expandObjectGlobs([''], '/')).rejects.toThrow(UsageError);
  });
});
