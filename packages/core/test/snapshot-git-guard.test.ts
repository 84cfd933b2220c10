import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBundle } from '@btf-bundle/runtime';
import { afterAll, describe, expect, it } from 'vitest';
// The build runs on worker threads that load the built package: test the built package.
import { buildBundle, GitSnapshotError } from '../dist/index.js';
import { parseGitSnapshot, redactUrlCredentials } from '../dist/internal.js';
import { SAMPLE_OBJECTS } from './build-fixtures.js';
import { CLI, type CliRun, runCli } from './cli-run.js';
import { git, makeRemote, serveHttp } from './git-remote.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();
const OBJECT = SAMPLE_OBJECTS[0] as string;
/** A small real reduced BTF (1 KB): many kernels of it make a remote that builds in well under a second. */
const SMALL_BTF = fileURLToPath(
  new URL('../../runtime/test/fixtures/a/debian/12/x86_64/6.1.0-47-amd64.btf', import.meta.url),
);
const KERNELS_PER_DISTRO = 15;
/** The directory of that BTF's set (every kernel of the sample snapshot, reduced), in BTFHub layout. */
const SET_A = dirname(dirname(dirname(dirname(SMALL_BTF))));
/** How many kernels it holds (the object applies to every arch). */
const SET_A_KERNELS = 8;

/** A remote holding {@link KERNELS_PER_DISTRO} kernels of debian/12 and as many of ubuntu/20.04 (x86_64). */
function twoDistroRemote(): ReturnType<typeof makeRemote> {
  const files = temp('btf-git-two-');
  for (const [dir, name] of [
    ['debian/12/x86_64', (i: number) => `6.1.0-${i}-amd64.btf`],
    ['ubuntu/20.04/x86_64', (i: number) => `5.4.0-${i}-generic.btf`],
  ] as const) {
    mkdirSync(join(files, dir), { recursive: true });
    for (let i = 1; i <= KERNELS_PER_DISTRO; i++) cpSync(SMALL_BTF, join(files, dir, name(i)));
  }
  const remote = makeRemote(files);
  temp.adopt(remote.root);
  return remote;
}

/**
 * Runs the built CLI without blocking (so that several run at once); resolves when it exits. The process is the
 * promise's `child`.
 */
function runCliAsync(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CliRun> & { child: ChildProcess } {
  const child = spawn(process.execPath, [CLI, ...args], { env });
  const ended = new Promise<CliRun>((done) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
  return Object.assign(ended, { child });
}

/** `btf-bundle build` of {@link OBJECT} from `snapshot` into `<dir>/bundle.bin`, with the cache in `<dir>/cache`. */
function buildArgs(snapshot: string, dir: string, ...more: string[]): string[] {
  const out = join(dir, 'bundle.bin');
  return [
    'build',
    '--snapshot',
    snapshot,
    '--objects',
    OBJECT,
    '--out',
    out,
    '--cache-dir',
    join(dir, 'cache'),
    ...more,
  ];
}

/** The kernels of the bundle at `path`, none when there is no bundle. */
function bundleKernels(path: string): readonly string[] {
  return existsSync(path) ? decodeBundle(readFileSync(path)).kernels : [];
}

describe('builds sharing the cache dir of a git snapshot', () => {
  const remote = twoDistroRemote();
  const url = `git+file://${remote.bare}`;

  it('run in parallel, each bundles exactly the kernels it selects', async () => {
    const dir = temp('btf-git-parallel-');
    const cacheDir = join(dir, 'cache');
    const build = (include: string, out: string) =>
      runCliAsync([
        'build',
        '--snapshot',
        url,
        '--include',
        include,
        '--objects',
        OBJECT,
        '--out',
        join(dir, out),
        '--cache-dir',
        cacheDir,
        '--quiet',
      ]);
    expect((await build('**', 'warm.bin')).status).toBe(0);
    for (let round = 0; round < 3; round++) {
      const [debian, ubuntu] = await Promise.all([
        build('debian/**', `debian-${round}.bin`),
        build('ubuntu/**', `ubuntu-${round}.bin`),
      ]);
      // Quiet, but for the one line of a build that waits for the other's checkout.
      for (const { stderr } of [debian, ubuntu])
        expect(stderr, `round ${round}`).toMatch(
          /^(warning: waiting for .* to finish with the git snapshot checkout .*\n)?$/,
        );
      const want = (distro: string) =>
        Array.from({ length: KERNELS_PER_DISTRO }, (_, i) => i + 1).map((i) =>
          distro === 'debian'
            ? `debian/12/x86_64/6.1.0-${i}-amd64`
            : `ubuntu/20.04/x86_64/5.4.0-${i}-generic`,
        );
      expect([...bundleKernels(join(dir, `debian-${round}.bin`))].sort()).toEqual(want('debian').sort());
      expect([...bundleKernels(join(dir, `ubuntu-${round}.bin`))].sort()).toEqual(want('ubuntu').sort());
    }
  });

  it('a lock left by a process that died is broken; a live one is waited for, bounded and named', async () => {
    const cacheDir = temp('btf-git-lock-');
    const options = { snapshot: url, objects: [OBJECT], include: ['debian/**'], cacheDir, workers: 1 };
    await buildBundle(options);
    const checkout = join(cacheDir, 'snapshots', readdirSync(join(cacheDir, 'snapshots'))[0] as string);
    const lock = `${checkout}.lock`;
    expect(existsSync(lock)).toBe(false);
    // A pid that no process has: the one of a child that has exited.
    const dead = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }));
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: dead, host: hostname() }));
    expect(decodeBundle((await buildBundle(options)).bundle).kernels).toHaveLength(KERNELS_PER_DISTRO);
    expect(existsSync(lock)).toBe(false);
    // Held by a process that runs (this one).
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: process.pid, host: hostname() }));
    const warnings: string[] = [];
    process.env.BTF_BUNDLE_GIT_LOCK_WAIT = '0.5';
    try {
      const waited = buildBundle({ ...options, onWarning: (w) => warnings.push(w) });
      await expect(waited).rejects.toBeInstanceOf(GitSnapshotError);
      await expect(waited).rejects.toThrow(
        `another build (pid ${process.pid} on ${hostname()}) has held the git snapshot checkout ${checkout} for over 0.5 s; raise BTF_BUNDLE_GIT_LOCK_WAIT (seconds), or remove ${lock} if no build runs`,
      );
      expect(warnings).toEqual([
        `waiting for another build (pid ${process.pid} on ${hostname()}) to finish with the git snapshot checkout ${checkout}`,
      ]);
    } finally {
      delete process.env.BTF_BUNDLE_GIT_LOCK_WAIT;
    }
  });
});

describe('a CLI build waiting for the checkout', () => {
  const remote = twoDistroRemote();
  const url = `git+file://${remote.bare}`;

  it('says so while it waits, not once the wait is over', async () => {
    const dir = temp('btf-git-wait-');
    const first = runCliAsync(buildArgs(url, dir, '--include', 'debian/**'));
    expect((await first).status).toBe(0);
    const snapshots = join(dir, 'cache', 'snapshots');
    const lock = `${join(snapshots, readdirSync(snapshots)[0] as string)}.lock`;
    // Held by a process that runs (this one) until the waiting build has said it waits.
    mkdirSync(lock);
    writeFileSync(join(lock, 'owner'), JSON.stringify({ pid: process.pid, host: hostname() }));
    const waiting = runCliAsync(buildArgs(url, dir, '--include', 'debian/**'), {
      ...process.env,
      BTF_BUNDLE_GIT_LOCK_WAIT: '60',
    });
    let stderr = '';
    waiting.child.stderr?.on('data', (c) => (stderr += c));
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('warning: waiting for') && Date.now() < deadline)
      await new Promise((done) => setTimeout(done, 100));
    const said = stderr;
    rmSync(lock, { recursive: true, force: true });
    const run = await waiting;
    expect(said).toContain(
      `warning: waiting for another build (pid ${process.pid} on ${hostname()}) to finish with the git snapshot checkout`,
    );
    expect(run.status).toBe(0);
    expect(bundleKernels(join(dir, 'bundle.bin'))).toHaveLength(KERNELS_PER_DISTRO);
  });
});

describe('credentials in a git+ URL', () => {
  it('are hidden as git hides them: the password, or a user part alone over http(s)', () => {
    expect(redactUrlCredentials('git+https://ci-bot:ghp_S3CRET@example.invalid/a.git#main')).toBe(
      'git+https://ci-bot:***@example.invalid/a.git#main',
    );
    expect(redactUrlCredentials("fetch 'https://ghp_S3CRET@github.com/a.git' failed")).toBe(
      "fetch 'https://***@github.com/a.git' failed",
    );
    expect(redactUrlCredentials('ssh://git@github.com/a.git and file:///srv/a@b.git')).toBe(
      'ssh://git@github.com/a.git and file:///srv/a@b.git',
    );
  });

  it('never reach an error, a warning or a line of the CLI', async () => {
    const remote = makeRemote(SET_A);
    temp.adopt(remote.root);
    const { server, url } = await serveHttp(dirname(remote.bare));
    const withToken = url.replace('http://', 'http://ci-bot:S3CRETTOKEN@');
    const shown = url.replace('http://', 'http://ci-bot:***@');
    try {
      const dir = temp('btf-git-token-');
      const cli = (snapshot: string, ...more: string[]) => runCliAsync(buildArgs(snapshot, dir, ...more));
      const built = await cli(`git+${withToken}/archive.git`);
      expect(built.status).toBe(0);
      expect(built.stdout).toContain(`snapshot git+${shown}/archive.git at `);
      const missing = await cli(`git+${withToken}/missing.git#v1`);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toMatch(
        new RegExp(`^btf-bundle: snapshot git\\+${literal(shown)}/missing\\.git#v1: `),
      );
      const noKernel = await cli(`git+${withToken}/archive.git`, '--include', 'nothing/**');
      expect(noKernel.stderr).toContain(`selects no kernel of snapshot git+${shown}/archive.git`);
      // Offline: the warning that the cached revision is used.
      server.close();
      const offline = await cli(`git+${withToken}/archive.git`);
      expect(offline.status).toBe(0);
      expect(offline.stderr).toContain(`warning: snapshot git+${shown}/archive.git: cannot reach the remote`);
      for (const run of [built, missing, noKernel, offline])
        expect(run.stdout + run.stderr).not.toContain('S3CRET');
    } finally {
      server.close();
    }
  });
});

/** `text` as a regular expression matching it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A TCP server that accepts connections and never answers: a stalled remote; `connections()` counts them. */
async function stalledServer(): Promise<{ server: Server; port: number; connections(): number }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => void sockets.push(socket));
  server.on('close', () => {
    for (const socket of sockets) socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as AddressInfo).port, connections: () => sockets.length };
}

/** Pids and command lines of the running processes whose command line contains `text`, the CLI's aside. */
function processesWith(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes(CLI) && !line.includes('ps -eo'));
}

describe('a git remote that never answers', async () => {
  const { server, port, connections } = await stalledServer();
  afterAll(() => server.close());
  const stalled = `git+http://127.0.0.1:${port}/archive.git`;
  const build = (dir: string, env: NodeJS.ProcessEnv) =>
    runCliAsync(buildArgs(stalled, dir), { ...process.env, ...env });

  it('fails once a git command passes BTF_BUNDLE_GIT_TIMEOUT, naming the URL, its git killed', async () => {
    const dir = temp('btf-git-stall-');
    const run = await build(dir, { BTF_BUNDLE_GIT_TIMEOUT: '1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `btf-bundle: snapshot ${stalled}: cannot reach the remote (git fetch did not finish within 1 s (raise BTF_BUNDLE_GIT_TIMEOUT, in seconds, for a slow remote)), and no earlier build cached a revision of the remote's HEAD\n`,
    );
    expect(processesWith(`127.0.0.1:${port}`)).toEqual([]);
    const bad = await build(dir, { BTF_BUNDLE_GIT_TIMEOUT: 'soon' });
    expect(bad.stderr).toContain('BTF_BUNDLE_GIT_TIMEOUT must be a positive number of seconds, got "soon"');
  });

  it('a fetch git gives up on (below its low-speed bound) is not followed by a second question to the remote', async () => {
    const dir = temp('btf-git-slow-');
    const before = connections();
    const run = await build(dir, { GIT_HTTP_LOW_SPEED_TIME: '1' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `btf-bundle: snapshot ${stalled}: cannot reach the remote (git fetch failed: `,
    );
    expect(run.stderr).toContain('Operation too slow');
    expect(connections() - before).toBe(1);
  });

  it('SIGTERM ends the CLI and the git processes it started', async () => {
    const dir = temp('btf-git-term-');
    const run = build(dir, {});
    // Wait until git talks to the remote (its HTTP helper names the URL), then terminate the CLI.
    for (let i = 0; i < 100 && processesWith(`127.0.0.1:${port}`).length === 0; i++)
      await new Promise((done) => setTimeout(done, 100));
    const gits = processesWith(`127.0.0.1:${port}`);
    expect(gits.length).toBeGreaterThan(0);
    run.child.kill('SIGTERM');
    expect((await run).status).toBe(143);
    expect(processesWith(`127.0.0.1:${port}`)).toEqual([]);
    expect(processesWith(join(dir, 'cache'))).toEqual([]);
  });
});

describe('git+ option checks', () => {
  it('refuses transports that read a file descriptor or run a command', () => {
    for (const bad of ['git+fd::17', 'git+ext::sh -c touch% /tmp/x', 'git+FD::3/a.git'])
      expect(() => parseGitSnapshot(bad), bad).toThrow(/transport is not allowed for a snapshot/);
  });

  it('a malformed --snapshot git+ is a command-line mistake: exit 2', () => {
    const dir = temp('btf-git-usage-');
    for (const bad of ['git+file:///a#a..b', 'git+fd::17']) {
      const run = runCli(['build', '--snapshot', bad, '--objects', OBJECT, '--out', join(dir, 'b.bin')]);
      expect(run.status, bad).toBe(2);
      expect(run.stderr, bad).toMatch(/^btf-bundle: build: --snapshot: snapshot git\+/);
    }
  });

  it('a relative path is the remote at that path from the cwd (the plugin: its root)', async () => {
    const remote = makeRemote(SET_A);
    temp.adopt(remote.root);
    const dir = temp('btf-git-rel-');
    const run = runCli(
      [
        'build',
        '--snapshot',
        'git+./archive.git',
        '--objects',
        OBJECT,
        '--out',
        join(dir, 'b.bin'),
        '--cache-dir',
        dir,
        '--quiet',
      ],
      remote.root,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(bundleKernels(join(dir, 'b.bin'))).toHaveLength(SET_A_KERNELS);
    const lib = await buildBundle({
      snapshot: 'git+../archive.git',
      cwd: remote.work,
      objects: [OBJECT],
      cacheDir: temp('btf-git-rel-lib-'),
      workers: 1,
    });
    expect(lib.snapshotRevision).toBe(git(remote.work, 'rev-parse', 'HEAD'));
  });

  it('--no-cache checks out into a temporary dir, removed at the end, and writes no cache', () => {
    const remote = makeRemote(SET_A);
    temp.adopt(remote.root);
    const cwd = temp('btf-git-nocache-');
    const tmp = temp('btf-git-tmp-');
    const out = join(temp('btf-git-nocache-out-'), 'b.bin');
    const args = [
      'build',
      '--snapshot',
      `git+file://${remote.bare}`,
      '--objects',
      OBJECT,
      '--out',
      out,
      '--no-cache',
    ];
    const run = execFileSync(process.execPath, [CLI, ...args, '--quiet'], {
      cwd,
      env: { ...process.env, TMPDIR: tmp },
      encoding: 'utf8',
    });
    expect(run).toBe('');
    expect(bundleKernels(out)).toHaveLength(SET_A_KERNELS);
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
