/**
 * The snapshot walk on hostile trees: special files in kernel position, dangling links, links out of the snapshot,
 * directory link loops at every level, unreadable directories. Each must be reported (never read, never
 * followed round) while the rest of the snapshot is still listed.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { afterAll, describe, expect, it } from 'vitest';
import { filterPaths } from '../src/snapshot/glob-filter.js';
import { scanSnapshot } from '../src/snapshot/scan.js';
import { walkSnapshot } from '../src/snapshot/walk.js';
import { firstSampleKernel } from './build-fixtures.js';

const temps: string[] = [];
const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
  for (const t of temps) {
    execFileSync('chmod', ['-R', 'u+rwx', t]);
    rmSync(t, { recursive: true, force: true });
  }
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** A snapshot with one real kernel at `debian/12/x86_64/6.1.0-1-amd64.btf.tar.xz`; returns its root. */
function snapshotWithOneKernel(): string {
  const root = tempDir('btf-walk-');
  mkdirSync(join(root, 'debian/12/x86_64'), { recursive: true });
  copyFileSync(firstSampleKernel(), join(root, 'debian/12/x86_64/6.1.0-1-amd64.btf.tar.xz'));
  return root;
}

const GOOD = 'debian/12/x86_64/6.1.0-1-amd64';
const arch = (root: string, name: string) => join(root, 'debian/12/x86_64', name);

async function listen(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((ok) => server.listen(path, ok));
}

describe('walkSnapshot', () => {
  it('reports FIFOs, sockets, devices and directories in kernel position without opening them', async () => {
    const root = snapshotWithOneKernel();
    execFileSync('mkfifo', [arch(root, 'fifo.btf')]);
    await listen(arch(root, 'socket.btf'));
    mkdirSync(arch(root, 'dir.btf'));
    const scan = await scanSnapshot(root, { followLinksOut: true });
    symlinkSync('/dev/zero', arch(root, 'zero.btf'));
    const withDevice = await scanSnapshot(root, { followLinksOut: true });
    expect(scan.kernels.map((k) => k.id)).toEqual([GOOD]);
    expect(withDevice.kernels.map((k) => k.id)).toEqual([GOOD]);
    const reasons = Object.fromEntries(withDevice.skipped.map((s) => [s.path, s.reason]));
    expect(reasons[arch(root, 'fifo.btf')]).toMatch(/a FIFO, not a regular file/);
    expect(reasons[arch(root, 'socket.btf')]).toMatch(/a socket, not a regular file/);
    expect(reasons[arch(root, 'dir.btf')]).toMatch(/a directory, not a regular file/);
    expect(reasons[arch(root, 'zero.btf')]).toMatch(/a character device, not a regular file/);
  });

  it('reports dangling links at every level', async () => {
    const root = snapshotWithOneKernel();
    symlinkSync('missing.btf', arch(root, 'dangling.btf'));
    symlinkSync('nowhere', join(root, 'debian/11'));
    symlinkSync(join(root, 'gone'), join(root, 'ubuntu'));
    const scan = await scanSnapshot(root);
    expect(scan.kernels.map((k) => k.id)).toEqual([GOOD]);
    expect(scan.skipped.map((s) => s.path).sort()).toEqual(
      [arch(root, 'dangling.btf'), join(root, 'debian/11'), join(root, 'ubuntu')].sort(),
    );
    for (const s of scan.skipped) expect(s.reason).toMatch(/dangling .*ENOENT/);
  });

  it('finishes at once on directory link loops at every level, listing each kernel once', async () => {
    const root = snapshotWithOneKernel();
    symlinkSync('..', arch(root, 'loop')); // x86_64/loop -> ..  (the case that ran for a minute)
    symlinkSync('..', arch(root, 'up.btf')); // same, named like a kernel
    symlinkSync('.', join(root, 'debian/12/self'));
    symlinkSync('../..', join(root, 'debian/12/root'));
    symlinkSync('.', join(root, 'again'));
    symlinkSync('debian', join(root, 'alias'));
    const scan = await scanSnapshot(root);
    expect(scan.kernels.map((k) => k.id)).toEqual([GOOD]);
    const reported = scan.skipped.map((s) => s.path);
    expect(reported).toEqual(
      expect.arrayContaining([
        arch(root, 'up.btf'),
        join(root, 'debian/12/self'),
        join(root, 'debian/12/root'),
        join(root, 'again'),
      ]),
    );
    // Real directories are walked before links: `alias` is the repeat, not the real `debian`.
    expect(reported).toContain(join(root, 'alias'));
    expect(scan.skipped.find((s) => s.path === join(root, 'again'))?.reason).toMatch(/already walked/);
  });

  it('reports links out of the snapshot and follows them only when allowed', async () => {
    const root = snapshotWithOneKernel();
    const outside = tempDir('btf-walk-outside-');
    mkdirSync(join(outside, '12/arm64'), { recursive: true });
    copyFileSync(firstSampleKernel(), join(outside, '12/arm64/6.1.0-2-arm64.btf.tar.xz'));
    copyFileSync(firstSampleKernel(), join(outside, 'file.btf.tar.xz'));
    symlinkSync(join(outside, 'file.btf.tar.xz'), arch(root, '6.1.0-3-amd64.btf.tar.xz'));
    symlinkSync(outside, join(root, 'ubuntu'));
    symlinkSync('6.1.0-1-amd64.btf.tar.xz', arch(root, '6.1.0-4-amd64.btf.tar.xz')); // inside: followed

    const strict = await scanSnapshot(root);
    expect(strict.kernels.map((k) => k.id)).toEqual([GOOD, 'debian/12/x86_64/6.1.0-4-amd64']);
    expect(strict.skipped.map((s) => s.path).sort()).toEqual(
      [arch(root, '6.1.0-3-amd64.btf.tar.xz'), join(root, 'ubuntu')].sort(),
    );
    for (const s of strict.skipped) expect(s.reason).toMatch(/outside the snapshot/);

    const allowed = await scanSnapshot(root, { followLinksOut: true });
    expect(allowed.skipped).toEqual([]);
    expect(allowed.kernels.map((k) => k.id)).toEqual([
      GOOD,
      'debian/12/x86_64/6.1.0-3-amd64',
      'debian/12/x86_64/6.1.0-4-amd64',
      'ubuntu/12/arm64/6.1.0-2-arm64',
    ]);
  });

  it('reports an unreadable directory as invalid and still lists the rest', async () => {
    const root = snapshotWithOneKernel();
    const locked = join(root, 'debian/11');
    mkdirSync(join(locked, 'x86_64'), { recursive: true });
    copyFileSync(firstSampleKernel(), join(locked, 'x86_64/5.10.0-1-amd64.btf.tar.xz'));
    chmodSync(locked, 0o000);
    // root reads any directory: scan without capabilities then (still root, so the checkout stays readable wherever
    // it is, but a mode-000 directory is closed, as to anybody).
    let scan: Awaited<ReturnType<typeof scanSnapshot>>;
    if (process.getuid?.() === 0) {
      const dist = fileURLToPath(new URL('../dist/snapshot/scan.js', import.meta.url));
      const script = `const { scanSnapshot } = await import(${JSON.stringify(dist)}); console.log(JSON.stringify(await scanSnapshot(${JSON.stringify(root)})));`;
      const out = execFileSync(
        'setpriv',
        [
          '--bounding-set=-all',
          '--inh-caps=-all',
          '--',
          process.execPath,
          '--input-type=module',
          '-e',
          script,
        ],
        { encoding: 'utf8', cwd: dirname(dist) },
      );
      scan = JSON.parse(out);
    } else scan = await scanSnapshot(root);
    expect(scan.kernels.map((k) => k.id)).toEqual([GOOD]);
    expect(scan.invalid).toEqual([{ path: locked, reason: 'cannot list directory (EACCES)' }]);
  });
});

describe('filterPaths', () => {
  const files = [
    'debian/12/arm64/6.1.0-1-arm64.btf.tar.xz',
    'debian/12/x86_64/6.1.0-1-amd64.btf',
    'debian/12/x86_64/6.1.0-10-amd64.btf',
    'ubuntu/22.04/x86_64/.hidden.btf',
    'ubuntu/22.04/x86_64/5.15.0-1-generic.btf',
  ];
  it('answers what fast-glob answers on the same tree on disk', async () => {
    const root = tempDir('btf-glob-');
    for (const f of files) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), '');
    }
    const cases: [string[], string[]][] = [
      [['**/*.btf'], []],
      [['{debian,ubuntu}/*/x86_64/*'], []],
      [['debian/1?/*/*'], []],
      [['**/6.1.0-?-*'], []],
      [['**/*'], ['debian']],
      [['**/*'], ['**/x86_64/**']],
      [['**/[a]*/*'], []],
      [['**/*.{btf,xz}'], ['**/*-1-*']],
      [['ubuntu/**'], []],
      [['**/.hidden.btf'], []],
      [[files[2] as string], []],
      [['!(ubuntu)/**/*'], []],
    ];
    for (const [include, exclude] of cases) {
      const onDisk = (await fg(include, { cwd: root, ignore: exclude, onlyFiles: true, dot: false })).sort();
      expect(await filterPaths(files, include, exclude), `${include} minus ${exclude}`).toEqual(onDisk);
    }
    expect(await filterPaths(files, ['**/*.btf'], [])).toHaveLength(3);
  });
  it('sees only the listed files, never the disk', async () => {
    expect(await filterPaths([], ['/etc/*', '**/*', '../**'], [])).toEqual([]);
    expect(await filterPaths(files, ['/etc/hostname', 'debian/12/x86_64/missing.btf'], [])).toEqual([]);
  });
});

describe('walkSnapshot limits', () => {
  it('does not descend below kernel level nor list stray files above it', async () => {
    const root = snapshotWithOneKernel();
    writeFileSync(join(root, 'README.btf'), 'x');
    mkdirSync(arch(root, 'deeper/more'), { recursive: true });
    writeFileSync(arch(root, 'deeper/more/x.btf'), 'x');
    const walk = await walkSnapshot(root);
    expect(walk).toEqual({
      files: [`${GOOD}.btf.tar.xz`],
      // the directories listed, which a watcher of the snapshot watches: not `deeper`, at kernel level
      dirs: [root, join(root, 'debian'), join(root, 'debian/12'), join(root, 'debian/12/x86_64')],
      unreadable: [],
      skipped: [],
    });
  });
});
