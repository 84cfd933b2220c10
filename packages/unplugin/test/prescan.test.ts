import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { guessObjects } from '../src/core/prescan.js';

const OBJECT = new URL('../../core/testdata/opensnoop.bpf.o', import.meta.url).pathname;
let root: string;
const at = (path: string) => join(root, path);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'btf-bundle-unplugin-prescan-'));
  for (const path of ['src/a.bpf.o', 'src/b.bpf.o', 'bpf/b.bpf.o', 'bpf/c.bpf.o', 'out[1]/d.bpf.o']) {
    mkdirSync(dirname(at(path)), { recursive: true });
    cpSync(OBJECT, at(path));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('guesses every object under the root but the skipped dirs (glob characters in their names are literal)', async () => {
  const all = await guessObjects(root, { skip: [], taken: [] });
  expect(all).toEqual([at('bpf/c.bpf.o'), at('out[1]/d.bpf.o'), at('src/a.bpf.o')]); // b twice: no guess
  const skipped = await guessObjects(root, { skip: [at('out[1]'), '/elsewhere', root], taken: [] });
  expect(skipped).toEqual([at('bpf/c.bpf.o'), at('src/a.bpf.o')]);
});

it('guesses no object named like one the build takes anyway, unless it is that one', async () => {
  const taken = [at('bpf/c.bpf.o'), join(root, '../elsewhere/a.bpf.o')];
  expect(await guessObjects(root, { skip: [at('out[1]')], taken })).toEqual([at('bpf/c.bpf.o')]);
});
