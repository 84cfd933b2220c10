import { describe, expect, it } from 'vitest';
import { scaleReport, summary } from '../../../bench/lib/report-scale.js';
import { objectCoverage } from '../src/report/coverage.js';
import { describeKernels } from '../src/report/kernel-list.js';
import { type BuildReport, computeStats, type KernelReport } from '../src/report/report.js';
import { formatReport, LEGEND } from '../src/report/table.js';
import { formatBytes } from '../src/util/bytes.js';

const kernels: KernelReport[] = [
  {
    id: 'debian/12/x86_64/6.1.0-1-amd64',
    path: '/s/a',
    status: 'covered',
    cached: true,
    sourceBytes: 4_000_000,
    btfBytes: 2000,
    btfSha256: 'a',
    ms: 12,
    objects: [summary('p.bpf.o', 2, 1), summary('q.bpf.o')],
  },
  {
    id: 'debian/12/x86_64/6.1.0-2-amd64',
    path: '/s/b',
    status: 'covered',
    sourceBytes: 4_000_000,
    btfBytes: 2000,
    btfSha256: 'a',
    ms: 30,
    objects: [summary('p.bpf.o', 1, 1), summary('q.bpf.o')],
  },
  {
    id: 'debian/12/x86_64/6.1.0-3-amd64',
    path: '/s/c',
    status: 'failed',
    failure: 'error',
    reason: 'q.bpf.o (kprobe/x, relocation #2): field offset ambiguity',
  },
  {
    id: 'debian/12/arm64/6.1.0-3-arm64',
    path: '/s/d',
    status: 'skipped',
    reason: 'no objects for arch arm64',
  },
];
const objects = [
  { name: 'p.bpf.o', sha256: '0'.repeat(64), arch: '*' },
  { name: 'q.bpf.o', sha256: '1'.repeat(64), arch: '*' },
];

describe('coverage report', () => {
  const stats = computeStats(kernels, { distinctBlobs: 1, bundleBytes: 900, ms: 1500 });
  const report: BuildReport = { version: 1, objects, kernels, stats };

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

  it('prints one line per kernel, one per object, the runs, a summary and the legend', () => {
    const text = formatReport(report);
    expect(text).toMatch(
      /6\.1\.0-1-amd64\s+covered\s+3\.8 MiB → 2\.0 KiB\s+12 ms \(cached\)\s+2 \(1 guarded\)\s+1 relocated, 1 unguarded$/m,
    );
    expect(text).toMatch(/6\.1\.0-2-amd64\s+covered.*\s1 \(1 guarded\)\s+1 relocated, 1 guarded$/m);
    expect(text).toMatch(
      /6\.1\.0-3-amd64\s+failed\s+q\.bpf\.o \(kprobe\/x, relocation #2\): field offset ambiguity/,
    );
    expect(text).toMatch(
      /^p\.bpf\.o\s+\*\s+10\s+none\s+1 of 2\s+1 of 2\s+none\s+debian\/12\/x86_64\/6\.1\.0-1-amd64$/m,
    );
    expect(text).toMatch(
      /^q\.bpf\.o\s+\*\s+10\s+2 of 3\s+none\s+none\s+1 of 3\s+debian\/12\/x86_64\/6\.1\.0-3-amd64$/m,
    );
    expect(text).toContain(
      '1 run of consecutive releases with identical reduced BTFs cover 2 kernels (longest 2)',
    );
    expect(text).toContain('4 kernels: 2 covered, 1 failed, 1 skipped');
    expect(text).toContain('dedup ratio 2.00');
    expect(text.endsWith(LEGEND)).toBe(true);
    expect(formatBytes(4_000_000)).toBe('3.8 MiB');
  });

  it('prints a name or reason holding a newline or a terminal escape as one escaped cell', () => {
    const evil = 'p\nFAKE LINE: all kernels OK\x1b[31m.bpf.o';
    const rename = (name: string) => (name === 'p.bpf.o' ? evil : name);
    const text = formatReport({
      ...report,
      objects: objects.map((o) => ({ ...o, name: rename(o.name) })),
      kernels: kernels.map((k) => ({
        ...k,
        ...(k.objects ? { objects: k.objects.map((o) => ({ ...o, object: rename(o.object) })) } : {}),
        ...(k.reason ? { reason: `${k.reason}\x07` } : {}),
      })),
    });
    expect(text).not.toMatch(/^FAKE LINE/m);
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(text).toContain('p\\nFAKE LINE: all kernels OK\\x1b[31m.bpf.o');
    expect(text).toContain('field offset ambiguity\\x07');
  });

  it('attributes a minimizer error to the object it names', () => {
    const q = objectCoverage(report).find((o) => o.name === 'q.bpf.o');
    expect(q?.byVerdict.error).toEqual(['debian/12/x86_64/6.1.0-3-amd64']);
    expect(q?.kernels).toBe(2);
  });

  it('reads at 1,000 kernels × 50 objects: one line per kernel and per object, each bounded', () => {
    const lines = formatReport(scaleReport(1000, 50)).split('\n');
    const longest = Math.max(...lines.map((l) => l.length));
    expect(lines.filter((l) => l.startsWith('ubuntu/'))).toHaveLength(1000);
    expect(lines.filter((l) => /^tool\d+\.bpf\.o /.test(l))).toHaveLength(50);
    expect(longest).toBeLessThan(400);
    expect(lines.length).toBeLessThan(1000 + 50 + 30);
    expect(lines.find((l) => l.startsWith('tool0.bpf.o '))).toMatch(
      /\s857 of 1,000\s+72 of 1,000\s+71 of 1,000\s+none\s+71 of 1,000: ubuntu\/20\.04\/x86_64\/5\.4\.0-8-generic … 5\.4\.0-988-generic \(71\)$/,
    );
    expect(lines).toContain(
      "100 runs of consecutive releases with identical reduced BTFs cover 1,000 kernels (longest 10); a release missing inside a run matches as 'bracketed'",
    );
  });
});

describe('describeKernels', () => {
  const ids = [
    'debian/12/x86_64/6.1.0-9-amd64',
    'debian/12/x86_64/6.1.0-10-amd64',
    'debian/12/x86_64/6.1.0-27-amd64',
    'debian/12/x86_64/6.1.0-27-cloud-amd64',
    'rhel/8/x86_64/4.18.0-305.el8.x86_64',
  ];
  it('says none, all, names up to two, and otherwise counts with each series first … last', () => {
    expect(describeKernels([], 5)).toBe('none');
    expect(describeKernels(ids, 5)).toBe('all 5');
    expect(describeKernels(ids.slice(0, 2), 5)).toBe(`${ids[0]}, ${ids[1]}`);
    expect(describeKernels(ids.slice(0, 4), 1200)).toBe(
      '4 of 1,200: debian/12/x86_64/6.1.0-9-amd64 … 6.1.0-27-amd64 (3), debian/12/x86_64/6.1.0-27-cloud-amd64',
    );
    expect(describeKernels([ids[0]!, ids[3]!, ids[4]!], 9)).toBe(
      '3 of 9: debian/12/x86_64/6.1.0-9-amd64, debian/12/x86_64/6.1.0-27-cloud-amd64, + 1 more series',
    );
  });
});
