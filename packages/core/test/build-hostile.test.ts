/**
 * A build over a snapshot holding hostile entries next to a real kernel: the real kernel is built, an archive whose
 * member is over the kernel size limit fails alone (refused from its header, through the worker threads), special
 * files, dangling links, links out and link loops are warned about and never read, and the build ends. A failed
 * kernel's reason names no directory of the machine that built the bundle.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBundle } from '@btf-bundle/runtime';
import { describe, expect, it } from 'vitest';
import { oracleTempDir } from '../../../test/oracle/btf-files.js';
// The build runs on worker threads that load the built package: test the built package.
import { buildBundle } from '../dist/index.js';
import { SAMPLE_OBJECTS, sampleKernels } from './build-fixtures.js';

/** A tar header (ustar, checksummed) declaring `name` of `size` bytes, with no data after it. */
function lyingTarHeader(name: string, size: number): Uint8Array {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('0', 156);
  h.write('ustar\x0000', 257);
  h.fill(0x20, 148, 156);
  h.write(
    `${h
      .reduce((a, b) => a + b, 0)
      .toString(8)
      .padStart(6, '0')}\0 `,
    148,
  );
  return h;
}

describe('buildBundle on a hostile snapshot', () => {
  it('builds the real kernel, fails the oversized one alone and reports what it did not read', async () => {
    const root = oracleTempDir('btf-build-hostile-');
    const arch = join(root, 'debian/12/x86_64');
    mkdirSync(arch, { recursive: true });
    const real = sampleKernels().find((k) => k.includes('/x86_64/'))!;
    copyFileSync(real, join(arch, '6.1.0-1-amd64.btf.tar.xz'));
    const huge = execFileSync('xz', ['-c'], { input: lyingTarHeader('6.1.0-2-amd64.btf', 600 << 20) });
    writeFileSync(join(arch, '6.1.0-2-amd64.btf.tar.xz'), huge);
    execFileSync('mkfifo', [join(arch, '6.1.0-3-amd64.btf')]);
    symlinkSync('missing.btf', join(arch, '6.1.0-4-amd64.btf'));
    symlinkSync('/etc/hostname', join(arch, '6.1.0-5-amd64.btf'));
    symlinkSync('..', join(arch, 'loop'));
    symlinkSync('.', join(root, 'debian/12/again'));

    const warnings: string[] = [];
    const result = await buildBundle({
      snapshot: root,
      objects: SAMPLE_OBJECTS,
      workers: 2,
      cacheDir: false,
      maxKernelBytes: 64 << 20,
      onWarning: (w) => warnings.push(w),
    });
    const byId = Object.fromEntries(result.report.kernels.map((k) => [k.id, k]));
    expect(Object.keys(byId).sort()).toEqual([
      'debian/12/x86_64/6.1.0-1-amd64',
      'debian/12/x86_64/6.1.0-2-amd64',
    ]);
    expect(byId['debian/12/x86_64/6.1.0-1-amd64']?.status).toBe('covered');
    expect(byId['debian/12/x86_64/6.1.0-2-amd64']).toMatchObject({ status: 'failed', failure: 'unreadable' });
    expect(byId['debian/12/x86_64/6.1.0-2-amd64']?.reason).toMatch(
      /629145600 bytes, more than the 67108864 accepted/,
    );
    const skipped = (name: string) => warnings.find((w) => w.startsWith(`${join(arch, name)}: skipped: `));
    expect(skipped('6.1.0-3-amd64.btf')).toMatch(/a FIFO, not a regular file/);
    expect(skipped('6.1.0-4-amd64.btf')).toMatch(/dangling/);
    expect(skipped('6.1.0-5-amd64.btf')).toMatch(/outside the snapshot/);
    expect(warnings.some((w) => w.startsWith(`${join(root, 'debian/12/again')}: skipped: `))).toBe(true);
  });

  it('records a failed kernel by its file name only: the same bundle from a snapshot anywhere', async () => {
    const first = oracleTempDir('btf-build-where-');
    const arch = join(first, 'debian/12/x86_64');
    mkdirSync(arch, { recursive: true });
    copyFileSync(
      sampleKernels().find((k) => k.includes('/x86_64/'))!,
      join(arch, '6.1.0-1-amd64.btf.tar.xz'),
    );
    const huge = execFileSync('xz', ['-c'], { input: lyingTarHeader('6.1.0-2-amd64.btf', 600 << 20) });
    writeFileSync(join(arch, '6.1.0-2-amd64.btf.tar.xz'), huge);
    const second = join(oracleTempDir('btf-build-elsewhere-'), 'deeper', 'snapshot');
    cpSync(first, second, { recursive: true });
    const build = (snapshot: string) =>
      buildBundle({ snapshot, objects: SAMPLE_OBJECTS, cacheDir: false, maxKernelBytes: 64 << 20 });
    const [a, b] = [await build(first), await build(second)];
    const reason = decodeBundle(a.bundle).failed.get('debian/12/x86_64/6.1.0-2-amd64');
    expect(reason).toMatch(
      /^6\.1\.0-2-amd64\.btf\.tar\.xz: archive member '6\.1\.0-2-amd64\.btf' is 629145600 bytes/,
    );
    expect(Buffer.from(a.bundle).equals(Buffer.from(b.bundle))).toBe(true);
  });
});
