import { describe, expect, it } from 'vitest';
import { computeStats, type KernelReport } from '../src/report/report.js';
import { formatBytes, formatReport } from '../src/report/table.js';

const kernels: KernelReport[] = [
  {
    id: 'debian/12/x86_64/6.1.0-1-amd64',
    path: '/s/a',
    status: 'covered',
    cached: true,
    sourceBytes: 4_000_000,
    btfBytes: 2000,
    ms: 12,
    objects: [{ object: 'p.bpf.o', total: 10, resolved: 8, poisoned: 2, guarded: 1, typeIdTarget: 0 }],
  },
  {
    id: 'debian/12/x86_64/6.1.0-2-amd64',
    path: '/s/b',
    status: 'covered',
    sourceBytes: 4_000_000,
    btfBytes: 2000,
    ms: 30,
    objects: [{ object: 'p.bpf.o', total: 10, resolved: 10, poisoned: 0, guarded: 0, typeIdTarget: 0 }],
  },
  {
    id: 'debian/12/x86_64/6.1.0-3-amd64',
    path: '/s/c',
    status: 'failed',
    failure: 'error',
    reason: 'ambiguous',
  },
  {
    id: 'debian/12/arm64/6.1.0-3-arm64',
    path: '/s/d',
    status: 'skipped',
    reason: 'no objects for arch arm64',
  },
];

describe('coverage report', () => {
  const stats = computeStats(kernels, { distinctBlobs: 1, bundleBytes: 900, ms: 1500 });

  it('computes totals and the dedup ratio', () => {
    expect(stats).toEqual({
      kernels: { total: 4, covered: 2, failed: 1, skipped: 1 },
      distinctBlobs: 1,
      rawBytes: 8_000_000,
      minimizedBytes: 4000,
      bundleBytes: 900,
      dedupRatio: 2,
      cacheHits: 1,
      ms: 1500,
    });
  });

  it('formats a table with per-object relocations, failures and a summary', () => {
    const text = formatReport({ version: 1, objects: [], kernels, stats });
    expect(text).toContain('p.bpf.o 8/10 ok, 2 poisoned (1 guarded)');
    expect(text).toMatch(/6\.1\.0-3-amd64\s+failed\s+ambiguous/);
    expect(text).toContain('12 ms (cached)');
    expect(text).toContain('4 kernels: 2 covered, 1 failed, 1 skipped');
    expect(text).toContain('dedup ratio 2.00');
    expect(formatBytes(4_000_000)).toBe('3.8 MiB');
  });
});
