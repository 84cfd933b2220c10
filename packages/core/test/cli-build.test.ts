import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeBundle } from '@btf-bundle/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_OBJECTS, SAMPLE_SNAPSHOT } from './build-fixtures.js';

const CLI = fileURLToPath(new URL('../dist/bin/btf-bundle.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'btf-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the built CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [CLI, ...args], { maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('btf-bundle build / inspect', () => {
  const out = join(dir, 'bundle.bin');
  const report = join(dir, 'report.json');
  const objectArgs = SAMPLE_OBJECTS.flatMap((o) => ['--objects', o]);

  /** `btf-bundle build` of the sample snapshot for the objects into `bundle`. */
  const build = (bundle: string) => ['build', '--snapshot', SAMPLE_SNAPSHOT, ...objectArgs, '--out', bundle];

  it('prints help', async () => {
    const help = await cli('build', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--snapshot DIR');
    expect((await cli('inspect', '--help')).stdout).toContain('--extract KERNEL_ID');
  });

  it('builds a bundle with progress lines, a table and a JSON report', async () => {
    const run = await cli(
      ...build(out),
      '--report',
      report,
      '--include',
      '**/x86_64/*',
      '--exclude',
      '**/*-rt-*',
      '--no-cache',
      '--workers',
      '2',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\[1\/\d+\] debian\/12\/x86_64\//m);
    expect(run.stdout).toContain('debian/12/x86_64/6.1.0-54-amd64');
    expect(run.stdout).toMatch(/\d+ kernels: \d+ covered, 0 failed, 0 skipped/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.kernels.every((k: { status: string }) => k.status === 'covered')).toBe(true);
    expect(json.kernels.some((k: { id: string }) => k.id.includes('-rt-'))).toBe(false);
    expect(decodeBundle(new Uint8Array(readFileSync(out))).kernels.length).toBe(json.kernels.length);
  });

  it('bounds the cache with --cache-max-bytes', async () => {
    const cacheDir = join(dir, 'cache');
    const args = [...build(join(dir, 'c.bin')), '--quiet'];
    expect((await cli(...args, '--cache-dir', cacheDir)).code).toBe(0);
    const entries = () =>
      readdirSync(join(cacheDir, 'entries'), { recursive: true }).filter((f) => String(f).endsWith('.bin'));
    expect(entries().length).toBeGreaterThan(1);
    expect((await cli(...args, '--cache-dir', cacheDir, '--cache-max-bytes', '1')).code).toBe(0);
    expect(entries().length).toBeLessThanOrEqual(1);
  });

  it('lists a bundle and extracts one kernel', async () => {
    const list = await cli('inspect', out);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('debian/12/x86_64/6.1.0-54-amd64');
    expect(list.stdout).toMatch(/distinct blobs/);
    const btf = join(dir, 'k.btf');
    const extract = await cli('inspect', out, '--extract', 'debian/12/x86_64/6.1.0-54-amd64', '--out', btf);
    expect(extract.code, extract.stderr).toBe(0);
    const bundle = decodeBundle(new Uint8Array(readFileSync(out)));
    expect(Buffer.compare(readFileSync(btf), bundle.get('debian/12/x86_64/6.1.0-54-amd64')!)).toBe(0);
    const missing = await cli('inspect', out, '--extract', 'debian/12/arm64/1.0', '--out', btf);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no BTF for kernel 'debian/12/arm64/1.0'");
  });

  it('rejects command-line mistakes with exit code 2 and one line', async () => {
    const bad = await cli(...build(out), '--fail-on', 'sometimes');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      "btf-bundle: build: --fail-on must be one of never, unreadable, error, got 'sometimes' (see 'btf-bundle help build')\n",
    );
    const missing = await cli('build', '--snapshot', SAMPLE_SNAPSHOT);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringContaining('build needs --snapshot, --objects'),
    ]);
    const base = build(out);
    expect((await cli(...base, '--workers', 'abc')).stderr).toContain(
      "--workers must be a positive integer, got 'abc'",
    );
    expect((await cli(...base, '--cache-max-bytes=-5')).stderr).toContain('--cache-max-bytes must be');
    const ambiguous = await cli(...base, '--cache-max-bytes', '-5');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/^btf-bundle: build: option '--cache-max-bytes' argument is ambiguous/);
    const unknown = await cli('build', '--no-such-flag');
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/^btf-bundle: build: unknown option '--no-such-flag'/),
    ]);
    const notBundle = await cli('inspect', SAMPLE_OBJECTS[0] as string);
    expect([notBundle.code, notBundle.stderr]).toEqual([
      1,
      expect.stringMatching(/^btf-bundle: .*\.bpf\.o: not a btf-bundle/),
    ]);
  });
});
