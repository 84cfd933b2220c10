import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBundle } from '@btf-bundle/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { copySnapshot, SAMPLE_OBJECTS, SAMPLE_SNAPSHOT } from './build-fixtures.js';
import { runCli } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the built CLI with `args`. */
const cli = (...args: string[]) => runCli(args);

describe('btf-bundle build / inspect', () => {
  const out = join(dir, 'bundle.bin');
  const report = join(dir, 'report.json');
  const objectArgs = SAMPLE_OBJECTS.flatMap((o) => ['--objects', o]);

  /** `btf-bundle build` of the sample snapshot (or `snapshot`) for the objects into `bundle`. */
  const build = (bundle: string, snapshot = SAMPLE_SNAPSHOT) => [
    'build',
    '--snapshot',
    snapshot,
    ...objectArgs,
    '--out',
    bundle,
  ];

  it('prints help', async () => {
    const help = cli('build', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--snapshot DIR');
    expect(cli('inspect', '--help').stdout).toContain('--extract KERNEL_ID');
  });

  it('builds a bundle with progress lines, a table and a JSON report', async () => {
    const run = cli(
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
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\[1\/\d+\] debian\/12\/x86_64\//m);
    expect(run.stdout).toContain('debian/12/x86_64/6.1.0-54-amd64');
    expect(run.stdout).toMatch(/\d+ kernels: \d+ covered, 0 failed, 0 skipped/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.kernels.every((k: { status: string }) => k.status === 'covered')).toBe(true);
    expect(json.kernels.some((k: { id: string }) => k.id.includes('-rt-'))).toBe(false);
    expect(decodeBundle(new Uint8Array(readFileSync(out))).kernels.length).toBe(json.kernels.length);
  });

  it('caps --workers above the cores at the cores, with a warning', async () => {
    const cores = availableParallelism();
    const run = cli(...build(join(dir, 'capped.bin')), '--no-cache', '--workers', '1000000');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `warning: --workers 1000000 is more than the ${cores} cores of this machine: ${cores} used`,
    );
  });

  it('bounds the cache with --cache-max-bytes', async () => {
    const cacheDir = join(dir, 'cache');
    const args = [...build(join(dir, 'c.bin')), '--quiet'];
    expect(cli(...args, '--cache-dir', cacheDir).status).toBe(0);
    const entries = () =>
      readdirSync(join(cacheDir, 'entries'), { recursive: true }).filter((f) => String(f).endsWith('.bin'));
    expect(entries().length).toBeGreaterThan(1);
    expect(cli(...args, '--cache-dir', cacheDir, '--cache-max-bytes', '1').status).toBe(0);
    expect(entries().length).toBeLessThanOrEqual(1);
  });

  it('lists a bundle and extracts one kernel', async () => {
    const list = cli('inspect', out);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain('debian/12/x86_64/6.1.0-54-amd64');
    expect(list.stdout).toMatch(/distinct blobs/);
    const btf = join(dir, 'k.btf');
    const extract = cli('inspect', out, '--extract', 'debian/12/x86_64/6.1.0-54-amd64', '--out', btf);
    expect(extract.status, extract.stderr).toBe(0);
    const bundle = decodeBundle(new Uint8Array(readFileSync(out)));
    expect(Buffer.compare(readFileSync(btf), bundle.get('debian/12/x86_64/6.1.0-54-amd64')!)).toBe(0);
    const missing = cli('inspect', out, '--extract', 'debian/12/arm64/1.0', '--out', btf);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no BTF for kernel 'debian/12/arm64/1.0'");
  });

  it('fails with --fail-on, naming the flag and the first fatal kernel', async () => {
    const snapshot = copySnapshot((p) => p.endsWith('/6.1.0-54-amd64.btf.tar.xz'));
    writeFileSync(join(snapshot, 'debian/12/x86_64/6.1.0-99-amd64.btf'), 'not a BTF');
    const run = cli(
      ...build(join(dir, 'failed.bin'), snapshot),
      '--fail-on',
      'unreadable',
      '--no-cache',
      '--quiet',
    );
    expect(run.status).toBe(1);
    // --quiet keeps the warning of the kernel left out; the error line ends the run.
    expect(run.stderr).toMatch(
      /^warning: debian\/12\/x86_64\/6\.1\.0-99-amd64: .*\nbtf-bundle: 1 kernel\(s\) failed with --fail-on unreadable; first: debian\/12\/x86_64\/6\.1\.0-99-amd64: /,
    );
  });

  it('rejects command-line mistakes with exit code 2 and one line', async () => {
    const bad = cli(...build(out), '--fail-on', 'sometimes');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      "btf-bundle: build: --fail-on must be one of never, unreadable, error, got 'sometimes' (see 'btf-bundle help build')\n",
    );
    const missing = cli('build', '--snapshot', SAMPLE_SNAPSHOT);
    expect([missing.status, missing.stderr]).toEqual([
      2,
      expect.stringContaining('build needs --snapshot, --objects'),
    ]);
    const base = build(out);
    expect(cli(...base, '--workers', 'abc').stderr).toContain(
      "--workers must be a positive integer, got 'abc'",
    );
    expect(cli(...base, '--cache-max-bytes=-5').stderr).toContain('--cache-max-bytes must be');
    const ambiguous = cli(...base, '--cache-max-bytes', '-5');
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toMatch(/^btf-bundle: build: option '--cache-max-bytes' argument is ambiguous/);
    const unknown = cli('build', '--no-such-flag');
    expect([unknown.status, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/^btf-bundle: build: unknown option '--no-such-flag'/),
    ]);
    const notBundle = cli('inspect', SAMPLE_OBJECTS[0] as string);
    expect([notBundle.status, notBundle.stderr]).toEqual([
      1,
      expect.stringMatching(/^btf-bundle: .*\.bpf\.o: not a btf-bundle/),
    ]);
  });
});
