// A BTFHub-scale snapshot in miniature: 100 kernels over 20 series (7 distros, 2 arches, 3 flavours) generated from
// the sample snapshot's real kernels with drift (bench/lib/scale-snapshot.ts). The build must cover them all,
// dedup the releases whose layouts did not change, give every kernel exactly what minimizing its own BTF gives, and
// leave no partial output and a consistent cache when interrupted.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeBundle } from '@btf-bundle/runtime';
import { describe, expect, it } from 'vitest';
import { type ScaleKernel, sampleBases, writeScaleSnapshot } from '../../bench/lib/scale-snapshot.js';
import { buildBundle } from '../../packages/core/dist/index.js';
import { Btf } from '../../packages/core/src/btf/btf.js';
import { minimizeBtf } from '../../packages/core/src/minimize/minimize.js';
import { parseBpfObject } from '../../packages/core/src/object.js';
import { tempDirs } from '../../packages/core/test/temp-dirs.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/core/dist/bin/btf-bundle.cjs');
const OBJECTS = ['execsnoop.bpf.o', 'opensnoop.bpf.o', 'tcpstates.bpf.o', 'biolatency.bpf.o'].map((n) =>
  join(ROOT, 'packages/core/testdata', n),
);

const temp = tempDirs();

/** Files left under `dir` (recursively), relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('a 100-kernel BTFHub-like snapshot', async () => {
  const snapshot = temp('btf-scale-');
  const kernels: ScaleKernel[] = await writeScaleSnapshot({
    out: snapshot,
    kernels: 100,
    bases: sampleBases(ROOT),
  });
  const progress: { done: number; etaMs?: number }[] = [];
  const result = await buildBundle({
    snapshot,
    objects: OBJECTS,
    cacheDir: false,
    workers: 2,
    onProgress: (p) => progress.push(p),
  });
  const bundle = decodeBundle(result.bundle);

  it('has the shape of the archive: 100 kernels, 8 distros, both arches, release names in each distro format', () => {
    expect(kernels).toHaveLength(100);
    const distros = new Set(kernels.map((k) => k.id.split('/')[0]));
    expect([...distros].sort()).toEqual(['amzn', 'centos', 'debian', 'ol', 'rhel', 'sles', 'ubuntu'].sort());
    const ids = kernels.map((k) => k.id);
    expect(ids).toContain('centos/7/x86_64/3.10.0-1057.el7.x86_64');
    expect(ids.some((id) => /^sles\/15\.3\/x86_64\/5\.3\.18-150300\.\d+\.\d+-default$/.test(id))).toBe(true);
    expect(ids.some((id) => /^amzn\/2\/arm64\/4\.14\.\d+-\d+\.\d\.amzn2\.aarch64$/.test(id))).toBe(true);
    expect(ids.some((id) => /^ubuntu\/22\.04\/x86_64\/5\.15\.0-\d+-lowlatency$/.test(id))).toBe(true);
    expect(ids.some((id) => /^debian\/11\/arm64\/5\.10\.0-\d+-arm64$/.test(id))).toBe(true);
  });

  it('covers every kernel and reports progress with an ETA for each', () => {
    expect(result.stats.kernels).toMatchObject({ total: 100, covered: 100 });
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(progress.every((p) => typeof p.etaMs === 'number')).toBe(true);
  });

  it('stores what minimizing each kernel gives, and shares one blob across releases whose layouts did not drift', async () => {
    const objects = OBJECTS.map((o) => parseBpfObject(readFileSync(o), o));
    const blobs = new Map<string, string>();
    for (const kernel of kernels) {
      const [distro, version, arch, release] = kernel.id.split('/') as [string, string, string, string];
      const full = Btf.parse(readFileSync(join(snapshot, distro, version, arch, `${release}.btf`)));
      const expected = minimizeBtf(full, objects, { mode: 'robust' }).btf;
      const stored = bundle.get(kernel.id);
      expect(stored && Buffer.compare(stored, expected), kernel.id).toBe(0);
      blobs.set(kernel.id, Buffer.from(expected).toString('base64'));
    }
    // Neighbours in a series with no drift step between them carry the same layouts, hence the same reduced BTF.
    let same = 0;
    for (let i = 1; i < kernels.length; i++) {
      const [a, b] = [kernels[i - 1] as ScaleKernel, kernels[i] as ScaleKernel];
      if (a.series !== b.series || a.drift.length !== b.drift.length) continue;
      same++;
      expect(blobs.get(b.id), `${a.id} -> ${b.id}`).toBe(blobs.get(a.id));
    }
    expect(same).toBeGreaterThan(50);
    expect(result.stats.distinctBlobs).toBeLessThan(50);
  });

  it('leaves no partial output and a consistent cache when interrupted, and the next build is the same bundle', async () => {
    const out = temp('btf-scale-out-');
    const cacheDir = join(temp('btf-scale-cache-'), 'cache');
    const bundlePath = join(out, 'bundle.bin');
    const args = [CLI, 'build', '--snapshot', snapshot, ...OBJECTS.flatMap((o) => ['--objects', o])];
    const child = spawn(
      process.execPath,
      [...args, '--out', bundlePath, '--cache-dir', cacheDir, '--workers', '2'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let seen = 0;
    let sent = false;
    let stderr = '';
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on('exit', (code, signal) => done({ code, signal })),
    );
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      seen += (chunk.toString().match(/\n/g) ?? []).length;
      // One Ctrl-C (a second one would exit at once).
      if (seen >= 20 && !sent) sent = child.kill('SIGINT');
    });
    const { code, signal } = await exit;
    // The CLI's own handler ran: it finished the kernels in flight and the writes under way, then exited 130.
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stderr).toMatch(/btf-bundle: interrupted, finishing the files being written/);
    expect(filesUnder(out)).toEqual([]);
    if (existsSync(cacheDir)) expect(filesUnder(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await buildBundle({ snapshot, objects: OBJECTS, cacheDir, workers: 2 });
    expect(again.stats.cacheHits).toBeGreaterThan(0);
    expect(Buffer.compare(again.bundle, result.bundle)).toBe(0);
  });
});
