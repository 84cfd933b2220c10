import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@btf-bundle/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildContext } from '../src/core/context.js';
import { resolveOptions } from '../src/core/options.js';

const OBJECT = new URL('../../core/testdata/opensnoop.bpf.o', import.meta.url).pathname;
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'btf-bundle-unplugin-context-'));
  mkdirSync(join(root, 'bpf'));
  mkdirSync(join(root, 'snapshot'));
  for (const name of ['a', 'b', 'c', 'x1', 'x2']) cpSync(OBJECT, join(root, 'bpf', `${name}.bpf.o`));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const context = (objects: string[]) =>
  new BuildContext(resolveOptions({ snapshot: 'snapshot', objects, root }));
/** The files the virtual module's load watches. */
async function watchFiles(objects: string[]): Promise<string[]> {
  const watched: string[] = [];
  await context(objects).loadModule('\0virtual:btf-bundle', (f) => watched.push(f));
  return watched;
}
const matched = async (objects: string[]) =>
  (await watchFiles(objects)).slice(1).map((f) => f.slice(root.length + 1));

describe('BuildContext: the objects option', () => {
  it.each([
    [['bpf/{a,b}.bpf.o'], ['bpf/a.bpf.o', 'bpf/b.bpf.o']],
    [['bpf/x?.bpf.o'], ['bpf/x1.bpf.o', 'bpf/x2.bpf.o']],
    [['bpf/[bc].bpf.o'], ['bpf/b.bpf.o', 'bpf/c.bpf.o']],
    [['bpf/*.bpf.o'], ['bpf/a.bpf.o', 'bpf/b.bpf.o', 'bpf/c.bpf.o', 'bpf/x1.bpf.o', 'bpf/x2.bpf.o']],
    [['bpf/a.bpf.o'], ['bpf/a.bpf.o']],
  ])('%j matches %j (fast-glob)', async (objects, expected) => {
    expect(await matched(objects)).toEqual(expected);
  });

  it('a glob that matches no file fails, as in the CLI, also beside one that matches', async () => {
    for (const objects of [['bpf/{y,z}.bpf.o'], ['bpf/a.bpf.o', 'bfp/*.bpf.o']]) {
      await expect(watchFiles(objects)).rejects.toThrow(
        new RegExp(
          `^unplugin-btf-bundle: objects: '${objects.at(-1)?.replace(/[{}*.]/g, '\\$&')}' matches no file$`,
        ),
      );
    }
  });

  it('a path without glob characters must exist', async () => {
    const missing = watchFiles(['bpf/none.bpf.o']);
    await expect(missing).rejects.toThrow(UsageError);
    await expect(watchFiles(['bpf/none.bpf.o'])).rejects.toThrow(
      /^unplugin-btf-bundle: objects: 'bpf\/none\.bpf\.o' does not exist$/,
    );
  });

  it('loads generated modules: the virtual module with its watch files, an object with its source path', async () => {
    const ctx = context(['bpf/a.bpf.o']);
    const watched: string[] = [];
    const virtual = await ctx.loadModule('\0virtual:btf-bundle', (f) => watched.push(f));
    expect(virtual?.code).toContain('bytesFromBase64("__btf_bundle__:data")');
    expect(watched).toEqual([join(root, 'snapshot'), join(root, 'bpf/a.bpf.o')]);
    const object = await ctx.loadModule(`${join(root, 'bpf/b.bpf.o')}?path`, () => {});
    expect(object).toMatchObject({ sourcePath: join(root, 'bpf/b.bpf.o') });
    expect(object?.code).toMatch(/^export default "__btf_bundle__:file:b-[0-9a-f]{8}\.bpf\.o";$/m);
    expect(await ctx.loadModule('/src/main.js', () => {})).toBeUndefined();
  });
});
