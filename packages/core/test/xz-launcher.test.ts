/**
 * The launcher shell that starts a thread's read-ahead xz decoders (src/snapshot/xz-launcher.ts): decoders started
 * through it, not by this process, one shell for many archives, the same bytes as the piped decoder, a stopped
 * decoder killed, the shell closed and started anew, its decoders killed when this process dies, no kernel decoded
 * ahead under a file size limit below it, and a path it cannot carry decoded by a child of this process.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MAX_KERNEL_BTF_BYTES, readKernelBtf } from '../src/snapshot/input.js';
import { archiveReadBound } from '../src/snapshot/tar-xz.js';
import { decodeXzAhead } from '../src/snapshot/xz-ahead.js';
import { closeLauncher } from '../src/snapshot/xz-launcher.js';
import { findSystemXz } from '../src/snapshot/xz-source.js';
import { SAMPLE_OBJECTS, SAMPLE_SNAPSHOT, sampleKernels } from './build-fixtures.js';
import { CLI } from './cli-run.js';
import { liveXzChildren, liveXzTempFiles } from './xz-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await closeLauncher();
  expect(liveXzChildren()).toEqual([]);
  expect(liveXzTempFiles()).toEqual([]);
  expect(children()).toEqual([]);
});

const xz = findSystemXz() as string;
const bound = archiveReadBound(MAX_KERNEL_BTF_BYTES);
const [first, second] = sampleKernels() as [string, string];

/** The processes this process started that are still there, as `<pid> <command name>`. */
function children(): string[] {
  return readdirSync('/proc/self/task').flatMap((tid) =>
    readFileSync(`/proc/self/task/${tid}/children`, 'utf8')
      .split(' ')
      .filter(Boolean)
      .map((pid) => `${pid} ${/^\d+ \((.*)\)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]}`),
  );
}

/** The parent process id of `pid`. */
const parentOf = (pid: string) =>
  readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) \S+ (\d+) .*$/s, '$1');

/** An xz file of 1 GiB of zeros (64 streams of 16 MiB): xz decodes it for a while. */
function zerosArchive(name: string): string {
  const zeros = execFileSync('xz', ['-c', '-0', '-T1'], { input: new Uint8Array(16 << 20) });
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(Array.from({ length: 64 }, () => zeros)));
  return path;
}

/** `read()` once `done` holds for it, polling every 10 ms for up to 5 s. */
async function until<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const value = read();
    if (done(value) || i === 500) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The member of the archive `ahead` decodes, read from it (the decoder then stopped and its file freed). */
async function readAhead(ahead: ReturnType<typeof decodeXzAhead>): Promise<Uint8Array> {
  return readKernelBtf(ahead.path, undefined, { xzSource: ahead.source() });
}

describe('the xz launcher shell', () => {
  it('starts the decoders of a thread: one shell for several archives, the same bytes as the piped decoder', async () => {
    const long = [zerosArchive('a.xz'), zerosArchive('b.xz')].map((path) => decodeXzAhead(xz, path, 1 << 30));
    const decoders = await until(
      () => liveXzChildren(),
      (list) => list.length === 2,
    );
    const started = children();
    expect(started).toHaveLength(1); // the shell: the decoders are not this process's children
    expect(started[0]).toMatch(/ sh$/);
    const shell = started[0]!.split(' ')[0]!;
    for (const decoder of decoders) expect(parentOf(parentOf(decoder.split(' ')[0]!))).toBe(shell); // xz ← its job's subshell ← the shell
    await Promise.all(long.map((ahead) => ahead.cancel()));
    const [a, b] = [decodeXzAhead(xz, first, bound), decodeXzAhead(xz, second, bound)];
    expect(
      Buffer.compare(await readAhead(a), await readKernelBtf(first, undefined, { xzDecoder: 'native' })),
    ).toBe(0);
    expect(
      Buffer.compare(await readAhead(b), await readKernelBtf(second, undefined, { xzDecoder: 'native' })),
    ).toBe(0);
    expect(children()).toEqual(started);
  });

  it('kills a decoder stopped before its end, and a closed shell gives way to a new one', async () => {
    const ahead = decodeXzAhead(xz, first, 1 << 30);
    const shell = children();
    await ahead.cancel();
    expect(liveXzChildren()).toEqual([]);
    await closeLauncher();
    expect(children()).toEqual([]);
    const again = decodeXzAhead(xz, first, bound);
    expect(children()).not.toEqual(shell);
    expect((await readAhead(again)).length).toBeGreaterThan(0);
  });

  it('reads every kernel, none ahead, when the process was given a file size limit below a kernel', () => {
    // A hard limit of 2 MB: below every sample kernel (4–5 MB of BTF) and the bound a lane sets. A decoder writing
    // into a file would be stopped by it, and the kernel reported as a corrupt archive.
    const unlimited = join(dir, 'unlimited.btfb');
    const limited = join(dir, 'limited.btfb');
    const args = (out: string) => [
      CLI,
      ...['build', '--snapshot', SAMPLE_SNAPSHOT, '--objects', ...SAMPLE_OBJECTS, '--out', out],
      ...['--no-cache', '--workers', '1'],
    ];
    expect(spawnSync(process.execPath, args(unlimited)).status).toBe(0);
    const run = spawnSync('prlimit', ['--fsize=2000000', process.execPath, ...args(limited)], {
      encoding: 'utf8',
    });
    expect(run.stderr).not.toMatch(/warning|error|unreadable/i);
    expect(run.status).toBe(0);
    expect(Buffer.compare(readFileSync(limited), readFileSync(unlimited))).toBe(0);
  });

  it('kills its decoders at once when this process is gone, whatever ended it', async () => {
    // A stand-in for xz that never ends by itself (named xz, as the processes are listed by name).
    const fakeXz = join(dir, 'fake', 'xz');
    mkdirSync(join(dir, 'fake'), { recursive: true });
    writeFileSync(fakeXz, '#!/bin/sh\nsleep 300\n', { mode: 0o755 });
    // A process that starts a decoder through its launcher, then dies by SIGKILL: no handler and no exit event run.
    const built = new URL('../dist/snapshot/xz-ahead.js', import.meta.url).href;
    const script = [
      `const { decodeXzAhead } = await import(${JSON.stringify(built)});`,
      `decodeXzAhead(${JSON.stringify(fakeXz)}, '/dev/null', 1 << 20);`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    const decoders = await until(
      () => liveXzChildren(),
      (list) => list.length === 1,
    );
    expect(decoders).toHaveLength(1);
    const pid = decoders[0]!.split(' ')[0]!;
    child.kill('SIGKILL');
    await exited;
    // Its launcher shell, in a process group of its own, sees its input end without the closing line and kills
    // the group (before, the decoder ran on to its end: here, 300 s).
    const running = () =>
      existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    expect(await until(running, (alive) => !alive)).toBe(false);
  });

  it('leaves a path holding a newline to a child of this process', async () => {
    const odd = join(dir, 'two\nlines.btf.tar.xz');
    copyFileSync(first, odd);
    const ahead = decodeXzAhead(xz, odd, bound);
    expect(Buffer.compare(await readAhead(ahead), await readKernelBtf(first))).toBe(0);
    expect(children()).toEqual([]); // its child was waited for, and no launcher shell was started
  });
});
