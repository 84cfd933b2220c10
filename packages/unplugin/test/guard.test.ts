import { execFileSync } from 'node:child_process';
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@btf-bundle/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildContext, type Logger } from '../src/core/context.js';
import { resolveOptions } from '../src/core/options.js';
import type { BtfBundleOptions } from '../src/types.js';

const repo = (path: string) => new URL(`../../../${path}`, import.meta.url).pathname;
const KERNEL = 'snapshot/debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz';
const quiet: Logger = { warn: () => {}, info: () => {} };
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'btf-bundle-unplugin-guard-'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'snapshot/debian/12/x86_64'), { recursive: true });
  cpSync(repo('sample-snapshot/debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz'), join(root, KERNEL));
  cpSync(repo('packages/core/testdata/opensnoop.bpf.o'), join(root, 'src/probe.bpf.o'));
  execFileSync('mkfifo', [join(root, 'src/fifo.bpf.o'), join(root, 'report-fifo.html')]);
  symlinkSync('/dev/zero', join(root, 'src/zero.bpf.o'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const context = (options: Partial<BtfBundleOptions> = {}) =>
  new BuildContext(resolveOptions({ snapshot: 'snapshot', cacheDir: false, root, ...options }));

/** A build of the bundle for the app's `src/probe.bpf.o`, imported as a bundler would. */
async function buildWithProbe(options: Partial<BtfBundleOptions>): Promise<void> {
  const ctx = context(options);
  await ctx.startBuild();
  await ctx.loadModule(join(root, 'src/probe.bpf.o'), () => {});
  await ctx.bundle(quiet);
}

describe('reportHtml is checked as the CLI checks --report-html', () => {
  it.each([
    ['the object the app imports', 'src/probe.bpf.o', 'is the object {} : refusing to write over an input'],
    ['a kernel of the snapshot', KERNEL, 'is the kernel {} : refusing to write over an input'],
    ['a FIFO (as a device)', 'report-fifo.html', 'is not a regular file (a device, FIFO or socket)'],
  ])('refuses %s, writing nothing', async (_, reportHtml, message) => {
    const path = join(root, reportHtml);
    const before = lstatSync(path);
    const bytes = before.isFile() ? readFileSync(path) : undefined;
    const build = buildWithProbe({ reportHtml });
    await expect(build).rejects.toThrow(UsageError);
    await expect(build).rejects.toThrow(
      `unplugin-btf-bundle: reportHtml ${path} ${message.replace('{} ', path)}`,
    );
    const after = lstatSync(path);
    expect([after.ino, after.mode]).toEqual([before.ino, before.mode]);
    if (bytes) expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses the cache dir as the page', async () => {
    await expect(buildWithProbe({ reportHtml: 'cache', cacheDir: 'cache' })).rejects.toThrow(
      /reportHtml and cacheDir are the same path/,
    );
  });

  it('writes a page elsewhere', async () => {
    await buildWithProbe({ reportHtml: 'out/coverage.html' });
    expect(readFileSync(join(root, 'out/coverage.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });
});

describe('an imported .bpf.o is read only as a regular file', () => {
  it.each([
    ['a FIFO', 'fifo.bpf.o'],
    ['a link to /dev/zero', 'zero.bpf.o'],
  ])('refuses %s at once, naming it', async (_, name) => {
    const load = context().loadModule(join(root, 'src', name), () => {});
    await expect(load).rejects.toThrow(UsageError);
    await expect(load).rejects.toThrow(
      `unplugin-btf-bundle: cannot read object ${join(root, 'src', name)}: not a regular file`,
    );
  });
});

describe('build start and output directories', () => {
  it('takes a cacheDir inside an output directory that holds the root (the project, as with outfile: main.js)', async () => {
    const ctx = context({ cacheDir: 'node_modules/.cache/btf-bundle' });
    ctx.setOutputDirs([root]);
    await ctx.loadModule(join(root, 'src/probe.bpf.o'), () => {});
    expect((await ctx.bundle(quiet)).stats.kernels.covered).toBe(1);
  });

  it('says a snapshot that is a file is not a directory', async () => {
    await expect(context({ snapshot: 'src/probe.bpf.o' }).startBuild()).rejects.toThrow(
      `unplugin-btf-bundle: snapshot ${join(root, 'src/probe.bpf.o')} is not a directory`,
    );
  });

  it.each([
    ['is', 'dist'],
    ['lies inside', 'dist/.cache'],
  ])('refuses a cacheDir that %s the output directory', async (where, cacheDir) => {
    const ctx = context({ cacheDir });
    ctx.setOutputDirs([join(root, 'dist')]);
    await ctx.loadModule(join(root, 'src/probe.bpf.o'), () => {});
    await expect(ctx.bundle(quiet)).rejects.toThrow(
      `unplugin-btf-bundle: cacheDir ${join(root, cacheDir)} ${where} the output directory ${join(root, 'dist')}: the cache would ship with the app`,
    );
  });
});
