import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBundle } from '@btf-bundle/runtime';
import { describe, expect, it } from 'vitest';
// The build runs on worker threads that load the built package: test the built package.
import { buildBundle, GitSnapshotError } from '../dist/index.js';
import { checkoutGitSnapshot, parseGitSnapshot, selectKernelPaths } from '../dist/internal.js';
import { copySnapshot, SAMPLE_OBJECTS, SAMPLE_SNAPSHOT, sampleKernels } from './build-fixtures.js';
import { runCli } from './cli-run.js';
import { blobId, commitAll, git, makeRemote, missingObjects, serveHttp } from './git-remote.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

/** Paths of the sample kernels relative to the snapshot root, as a BTFHub remote lists them. */
const KERNEL_PATHS = sampleKernels().map((k) => relative(SAMPLE_SNAPSHOT, k));
/** Four kernels: 6.1.0-50 and the three 6.1.0-54 flavours. */
const X86_61 = 'debian/12/x86_64/6.1.0-5*-amd64.btf.tar.xz';
const x86Objects = { x86_64: SAMPLE_OBJECTS };

describe('parseGitSnapshot', () => {
  it('splits git+<url>#ref and leaves directories alone', () => {
    expect(parseGitSnapshot('./btfhub-archive')).toBeUndefined();
    expect(parseGitSnapshot('git+https://example.invalid/a.git')).toEqual({
      url: 'https://example.invalid/a.git',
    });
    expect(parseGitSnapshot('git+file:///srv/a.git#v1.2')).toEqual({ url: 'file:///srv/a.git', ref: 'v1.2' });
  });

  it('refuses what git would take as an option or a revision expression', () => {
    for (const bad of [
      'git+',
      'git+-uhack',
      'git+file:///a#',
      'git+file:///a#--upload-pack=x',
      'git+file:///a#a..b',
    ])
      expect(() => parseGitSnapshot(bad), bad).toThrow(GitSnapshotError);
  });
});

describe('selectKernelPaths', () => {
  const listing = [...KERNEL_PATHS, 'README.md', 'debian/12/x86_64/notes.txt', 'debian/12/x86_64/x/y.btf'];

  it('keeps kernel files only, with fast-glob semantics for include/exclude (braces, ?, classes)', async () => {
    expect(await selectKernelPaths(listing, { cacheDir: '' })).toEqual([...KERNEL_PATHS].sort());
    expect(
      await selectKernelPaths(listing, {
        cacheDir: '',
        include: ['debian/12/*/6.1.0-{47,50}-amd6?.btf.tar.xz'],
      }),
    ).toEqual(['debian/12/x86_64/6.1.0-47-amd64.btf.tar.xz', 'debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz']);
    expect(
      await selectKernelPaths(listing, {
        cacheDir: '',
        include: ['**/6.1.*'],
        exclude: ['**/*-[rc]*-amd64.btf.tar.xz'],
      }),
    ).toEqual([
      'debian/12/arm64/6.1.0-50-arm64.btf.tar.xz',
      'debian/12/x86_64/6.1.0-47-amd64.btf.tar.xz',
      'debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz',
      'debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz',
    ]);
  });

  it('keeps only the arches that have objects', async () => {
    const arm = await selectKernelPaths(listing, { cacheDir: '', arches: ['arm64'] });
    expect(arm).toEqual(KERNEL_PATHS.filter((p) => p.includes('/arm64/')).sort());
  });
});

describe('a git remote as the snapshot', async () => {
  const remote = makeRemote(SAMPLE_SNAPSHOT);
  temp.adopt(remote.root);
  const cacheDir = temp('btf-git-cache-');
  const warnings: string[] = [];
  const build = (snapshot: string, extra: Partial<Parameters<typeof buildBundle>[0]> = {}) =>
    buildBundle({
      snapshot,
      objects: x86Objects,
      include: [X86_61],
      cacheDir,
      workers: 1,
      onWarning: (w) => warnings.push(w),
      ...extra,
    });
  const fromGit = await build(`git+file://${remote.bare}`);
  const fromDir = await buildBundle({
    snapshot: copySnapshot(),
    objects: x86Objects,
    include: [X86_61],
    cacheDir: false,
    workers: 1,
  });
  const clone = join(cacheDir, 'snapshots', readdirSync(join(cacheDir, 'snapshots'))[0] as string);

  it('builds the same bundle as from the same files in a directory, and names the revision', () => {
    expect(fromGit.stats.kernels.covered).toBe(4);
    expect(Buffer.compare(fromGit.bundle, fromDir.bundle)).toBe(0);
    expect(fromGit.snapshotRevision).toBe(git(remote.work, 'rev-parse', 'HEAD'));
    expect(warnings).toEqual([]);
  });

  it('never fetches the contents of files outside the globs or of arches without objects', () => {
    const rev = fromGit.snapshotRevision as string;
    const missing = missingObjects(clone, rev);
    for (const path of KERNEL_PATHS) {
      const selected = /x86_64\/6\.1\.0-5.*-amd64/.test(path);
      expect(missing.has(blobId(clone, rev, path)), path).toBe(!selected);
    }
  });

  it('fetches only what is new on the next build', async () => {
    // A new release whose bytes are those of 6.1.0-47, a kernel the globs left out: its blob was never fetched.
    const path = 'debian/12/x86_64/6.1.0-58-amd64.btf.tar.xz';
    copyFileSync(join(remote.work, 'debian/12/x86_64/6.1.0-47-amd64.btf.tar.xz'), join(remote.work, path));
    const rev = commitAll(remote.work, 'one more kernel');
    expect(missingObjects(clone, fromGit.snapshotRevision as string)).toContain(
      blobId(remote.work, rev, path),
    );
    const next = await build(`git+file://${remote.bare}`);
    expect(next.snapshotRevision).toBe(rev);
    expect(next.stats.kernels.covered).toBe(5);
    expect(next.stats.cacheHits).toBe(4);
    expect(decodeBundle(next.bundle).kernels).toContain('debian/12/x86_64/6.1.0-58-amd64');
    const missing = missingObjects(clone, rev);
    expect(missing.has(blobId(clone, rev, path))).toBe(false);
    expect(missing.has(blobId(clone, rev, 'debian/12/x86_64/6.1.0-47-amd64.btf.tar.xz'))).toBe(false);
    expect(missing.has(blobId(clone, rev, 'debian/12/arm64/6.1.0-50-arm64.btf.tar.xz'))).toBe(true);
  });

  it('builds from the cached revision when the remote is unreachable, and says so', async () => {
    const before = git(remote.work, 'rev-parse', 'HEAD');
    const moved = `${remote.bare}.away`;
    renameSync(remote.bare, moved);
    try {
      warnings.length = 0;
      const offline = await build(`git+file://${remote.bare}`);
      expect(offline.snapshotRevision).toBe(before);
      expect(offline.stats.kernels.covered).toBe(5);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`building from the revision ${before} of the remote's HEAD`);
      await expect(build(`git+file://${remote.bare}`, { cacheDir: temp('btf-git-empty-') })).rejects.toThrow(
        /cannot reach the remote .*, and no earlier build cached a revision of the remote's HEAD$/,
      );
    } finally {
      renameSync(moved, remote.bare);
    }
  });

  it('checks out a given ref', async () => {
    const first = git(remote.work, 'rev-list', '--max-parents=0', 'HEAD');
    git(remote.work, 'tag', 'first', first);
    git(remote.work, 'push', '-q', remote.bare, 'first');
    const atTag = await build(`git+file://${remote.bare}#first`, { cacheDir: temp('btf-git-tag-') });
    expect(atTag.snapshotRevision).toBe(first);
    expect(atTag.stats.kernels.covered).toBe(4);
  });

  it('works over smart HTTP on the loopback', async () => {
    const { server, url } = await serveHttp(dirname(remote.bare));
    try {
      const http = await build(`git+${url}/archive.git`, { cacheDir: temp('btf-git-http-') });
      expect(http.stats.kernels.covered).toBe(5);
      expect(http.snapshotRevision).toBe(git(remote.work, 'rev-parse', 'HEAD'));
    } finally {
      server.close();
    }
  });

  it('the CLI builds from a git remote and names the revision it built', () => {
    const out = join(temp('btf-git-cli-'), 'bundle.bin');
    const cli = fileURLToPath(new URL('../dist/bin/btf-bundle.cjs', import.meta.url));
    const snapshot = `git+file://${remote.bare}`;
    const args = [
      'build',
      '--snapshot',
      snapshot,
      '--include',
      X86_61,
      '--out',
      out,
      '--cache-dir',
      cacheDir,
    ];
    const stdout = execFileSync(
      process.execPath,
      [cli, ...args, ...SAMPLE_OBJECTS.flatMap((o) => ['--objects', o])],
      {
        encoding: 'utf8',
      },
    );
    expect(stdout).toContain(`snapshot ${snapshot} at ${git(remote.work, 'rev-parse', 'HEAD')}`);
    expect(decodeBundle(readFileSync(out)).kernels).toHaveLength(5);
  });

  it('says clearly when git cannot be run or the remote does not exist', async () => {
    const missing = build('git+file:///nonexistent/archive.git', { cacheDir: temp('btf-git-none-') });
    await expect(missing).rejects.toThrow(GitSnapshotError);
    await expect(missing).rejects.toThrow(
      "snapshot git+file:///nonexistent/archive.git: cannot reach the remote (git fetch failed: fatal: '/nonexistent/archive.git' does not appear to be a git repository; fatal: Could not read from remote repository.), and no earlier build cached a revision of the remote's HEAD",
    );
    const spec = { url: `file://${remote.bare}` };
    await expect(
      checkoutGitSnapshot(spec, { cacheDir: temp('btf-git-nogit-'), git: '/nonexistent/git' }),
    ).rejects.toThrow('/nonexistent/git not found: a git+ snapshot needs git 2.27+');
  });
});

describe('a git remote without the ref, or out of reach', async () => {
  const remote = makeRemote(SAMPLE_SNAPSHOT);
  temp.adopt(remote.root);
  const url = `git+file://${remote.bare}`;
  /** What git says of the remote once it is moved away, as errors and warnings quote it. */
  const gone = `git fetch failed: fatal: '${remote.bare}' does not appear to be a git repository; fatal: Could not read from remote repository.`;
  const warnings: string[] = [];
  // Objects of every arch: a build without include selects all kernels of the remote.
  const build = (snapshot: string, cacheDir: string, include?: string[]) =>
    buildBundle({
      snapshot,
      objects: SAMPLE_OBJECTS,
      include,
      cacheDir,
      workers: 1,
      onWarning: (w) => warnings.push(w),
    });
  /** Runs `body` with the remote moved away, then puts it back. */
  const unreachable = async (body: () => Promise<void>): Promise<void> => {
    const away = `${remote.bare}.away`;
    renameSync(remote.bare, away);
    try {
      await body();
    } finally {
      renameSync(away, remote.bare);
    }
  };

  it('a ref the remote does not have is an error naming the URL and the ref, not a build from the cache', async () => {
    const cacheDir = temp('btf-git-typo-');
    await build(url, cacheDir, [X86_61]);
    warnings.length = 0;
    const typo = build(`${url}#v2typo`, cacheDir, [X86_61]);
    await expect(typo).rejects.toBeInstanceOf(GitSnapshotError);
    await expect(typo).rejects.toMatchObject({
      code: 'GIT_REF_NOT_FOUND',
      message: `snapshot ${url}#v2typo: the remote answers but does not give ref v2typo (git fetch failed: fatal: couldn't find remote ref v2typo); check the branch, tag or commit`,
    });
    const commit = '0123456789abcdef0123456789abcdef01234567';
    await expect(build(`${url}#${commit}`, cacheDir, [X86_61])).rejects.toMatchObject({
      code: 'GIT_REF_NOT_FOUND',
      message: expect.stringContaining(`snapshot ${url}#${commit}: the remote answers but does not give ref`),
    });
    expect(warnings).toEqual([]);
  });

  it('the CLI says so too, and fails', () => {
    const dir = temp('btf-git-cli-typo-');
    const run = runCli([
      'build',
      '--snapshot',
      `${url}#v2typo`,
      '--out',
      join(dir, 'bundle.bin'),
      '--cache-dir',
      dir,
      ...SAMPLE_OBJECTS.flatMap((o) => ['--objects', o]),
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `btf-bundle: snapshot ${url}#v2typo: the remote answers but does not give ref v2typo (git fetch failed: fatal: couldn't find remote ref v2typo); check the branch, tag or commit\n`,
    );
  });

  it('out of reach, builds the revision an earlier build fetched for the same ref, never another ref', async () => {
    const cacheDir = temp('btf-git-refs-');
    const first = git(remote.work, 'rev-parse', 'HEAD');
    git(remote.work, 'tag', 'first');
    git(remote.work, 'push', '-q', remote.bare, 'first');
    // A kernel file changes (its bytes become those of 6.1.0-47, which no build here fetches).
    const x86 = join(remote.work, 'debian/12/x86_64');
    copyFileSync(join(x86, '6.1.0-47-amd64.btf.tar.xz'), join(x86, '6.1.0-50-amd64.btf.tar.xz'));
    const second = commitAll(remote.work, 'a kernel changes');
    const atFirst = await build(`${url}#first`, cacheDir, [X86_61]);
    expect(atFirst.snapshotRevision).toBe(first);
    // The checkout then holds arm64 kernels of the second commit, whose x86_64 6.1.0-50 was never fetched:
    // going back to the first commit offline must not need it.
    expect((await build(url, cacheDir, ['debian/12/arm64/*'])).snapshotRevision).toBe(second);
    await unreachable(async () => {
      warnings.length = 0;
      const again = await build(`${url}#first`, cacheDir, [X86_61]);
      expect(again.snapshotRevision).toBe(first);
      expect(Buffer.compare(again.bundle, atFirst.bundle)).toBe(0);
      expect(warnings).toEqual([
        `snapshot ${url}#first: cannot reach the remote (${gone}); building from the revision ${first} of ref first that an earlier build cached, which holds every kernel file this build selects`,
      ]);
      // main is the remote's HEAD, but no build fetched it by that name: its revision is not known offline.
      await expect(build(`${url}#main`, cacheDir, [X86_61])).rejects.toMatchObject({
        code: 'GIT_UNREACHABLE',
        message: `snapshot ${url}#main: cannot reach the remote (${gone}), and no earlier build cached a revision of ref main`,
      });
    });
  });

  it('out of reach after a build of fewer kernels, fails naming what the cache holds, unless it holds them all', async () => {
    const cacheDir = temp('btf-git-narrow-');
    const arm = await build(url, cacheDir, ['debian/12/arm64/*']);
    expect(decodeBundle(arm.bundle).kernels).toHaveLength(2);
    const kernels = git(remote.work, 'ls-files', '*.btf.tar.xz').split('\n').length;
    await unreachable(async () => {
      warnings.length = 0;
      const all = build(url, cacheDir);
      await expect(all).rejects.toBeInstanceOf(GitSnapshotError);
      await expect(all).rejects.toMatchObject({
        code: 'GIT_CACHE_INCOMPLETE',
        message: `snapshot ${url}: cannot reach the remote (${gone}), and the revision ${arm.snapshotRevision} of the remote's HEAD that an earlier build cached holds only 2 of the ${kernels} kernel files this build selects (debian/12/arm64/6.1.0-50-arm64.btf.tar.xz, debian/12/arm64/6.12.117+deb12-arm64.btf.tar.xz); build once with the remote reachable, or select only cached kernels with include/exclude`,
      });
      expect(warnings).toEqual([]);
      const one = await build(url, cacheDir, ['debian/12/arm64/6.1.*']);
      expect(decodeBundle(one.bundle).kernels).toEqual(['debian/12/arm64/6.1.0-50-arm64']);
      expect(warnings).toEqual([
        `snapshot ${url}: cannot reach the remote (${gone}); building from the revision ${arm.snapshotRevision} of the remote's HEAD that an earlier build cached, which holds every kernel file this build selects`,
      ]);
    });
    expect(decodeBundle((await build(url, cacheDir)).bundle).kernels).toHaveLength(kernels);
  });

  it("quotes git's words up to its advice, bounded", async () => {
    const bin = temp('btf-git-stub-');
    const stub = join(bin, 'git');
    // A git whose fetch and ls-remote fail with a long first paragraph, then advice after a blank line.
    writeFileSync(
      stub,
      [
        '#!/bin/sh',
        'case " $* " in *" fetch "*|*" ls-remote "*) ;; *) exec git "$@";; esac',
        "printf 'fatal: unable to access: %0900d\\nhint: try again\\nfatal: the last line\\n\\nadvice\\n' 0 >&2",
        'exit 128',
      ].join('\n'),
      { mode: 0o755 },
    );
    const err = await checkoutGitSnapshot(
      { url: `file://${remote.bare}` },
      { cacheDir: bin, git: stub },
    ).then(
      () => undefined,
      (e: GitSnapshotError) => e,
    );
    expect(err).toBeInstanceOf(GitSnapshotError);
    expect(err?.code).toBe('GIT_UNREACHABLE');
    const quoted = /git fetch failed: ([^)]*)/.exec(err?.message ?? '')?.[1];
    expect(quoted).toMatch(/^fatal: unable to access: 0+…\[\d+ characters cut\]…0+; fatal: the last line$/);
    expect(quoted?.length).toBeLessThanOrEqual(440);
  });
});
