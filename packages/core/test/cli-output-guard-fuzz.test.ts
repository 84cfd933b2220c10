/**
 * Randomized trees of directories, files, symbolic links (to files and directories, dangling) and hard links;
 * random inputs (files and directories) and outputs (existing entries or new paths, reached through links or not).
 * Whatever checkOutputs lets through is then really written with the CLI's atomic write, and the oracle is the
 * file system itself: every input byte is unchanged and every output holds what was written to it. A refusal must
 * be an OutputPathError. Seeded: a failure names its seed.
 */
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeOutputFile } from '../src/cli/files.js';
import { checkOutputs, GuardedInputs, type GuardedPath, OutputPathError } from '../src/output-guard.js';

const root = mkdtempSync(join(tmpdir(), 'btf-guard-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** mulberry32: a small seeded PRNG. */
function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Contents of every file reachable under `path` (file links followed, directory links not), by path. */
function contents(path: string, out: Record<string, string> = {}): Record<string, string> {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return out;
  if (stats.isFile()) out[path] = readFileSync(path, 'latin1');
  else if (stats.isDirectory()) {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (!entry.isSymbolicLink() || statSync(join(path, entry.name), { throwIfNoEntry: false })?.isFile()) {
        contents(join(path, entry.name), out);
      }
    }
  }
  return out;
}

/** Build one random tree under `dir`; returns its directories and every entry made. */
function randomTree(dir: string, pick: (n: number) => number): { dirs: string[]; entries: string[] } {
  const dirs = [dir];
  const files: string[] = [];
  const entries: string[] = [];
  const anyOf = <T>(list: T[]): T => list[pick(list.length)] as T;
  for (let i = 0; i < 3; i++) {
    const d = join(anyOf(dirs), `d${i}`);
    mkdirSync(d);
    dirs.push(d);
  }
  for (let i = 0; i < 4; i++) {
    const f = join(anyOf(dirs), `f${i}`);
    writeFileSync(f, `file ${i}`);
    files.push(f);
  }
  for (let i = 0; i < 4; i++) {
    const at = join(anyOf(dirs), `l${i}`);
    const kind = pick(4);
    // Links to directories only point at leaves (d1, d2 have no link children yet): no loops to walk.
    if (kind === 0) symlinkSync(anyOf(files), at);
    else if (kind === 1) symlinkSync(anyOf(dirs.slice(1)), at);
    else if (kind === 2) symlinkSync(join(dir, 'nothing-here'), at);
    else linkSync(anyOf(files), at);
    entries.push(at);
  }
  entries.push(...dirs.slice(1), ...files);
  return { dirs, entries };
}

describe('output guard, randomized', () => {
  it('never lets an output change an input, and refuses only with OutputPathError', async () => {
    let refused = 0;
    let written = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const pick = random(seed);
      const dir = join(root, `t${seed}`);
      mkdirSync(dir);
      const { dirs, entries } = randomTree(dir, pick);
      const anyOf = <T>(list: T[]): T => list[pick(list.length)] as T;
      const inputs: GuardedPath[] = [];
      for (let i = 0, n = 1 + pick(3); i < n; i++) inputs.push({ role: `input${i}`, path: anyOf(entries) });
      if (pick(2)) inputs.push({ role: 'input dir', path: anyOf(dirs.slice(1)), dir: true });
      // As the commands do (the kernels a snapshot scan found), the files of an input dir are inputs too: one may
      // be a link to a file elsewhere.
      for (const input of [...inputs]) {
        if (!statSync(input.path, { throwIfNoEntry: false })?.isDirectory()) continue;
        for (const path of Object.keys(contents(input.path)))
          inputs.push({ role: 'file in input dir', path });
      }
      const outputs: GuardedPath[] = [];
      for (let i = 0, n = 1 + pick(2); i < n; i++) {
        const path = pick(2) ? anyOf(entries) : join(anyOf([...dirs, ...entries]), `new${pick(3)}`);
        outputs.push({ role: `output${i}`, path });
      }
      const before = Object.assign({}, ...inputs.map((i) => contents(i.path)));
      try {
        checkOutputs(outputs, new GuardedInputs(inputs));
      } catch (err) {
        expect(err, `seed ${seed}`).toBeInstanceOf(OutputPathError);
        refused++;
        continue;
      }
      for (const [i, o] of outputs.entries()) await writeOutputFile(o.path, `output ${i} of seed ${seed}`);
      written++;
      expect(Object.assign({}, ...inputs.map((i) => contents(i.path))), `seed ${seed}`).toEqual(before);
      for (const [i, o] of outputs.entries()) {
        expect(readFileSync(o.path, 'utf8'), `seed ${seed}`).toBe(`output ${i} of seed ${seed}`);
      }
    }
    // Both outcomes are exercised, so the oracle above is not vacuous.
    expect(refused).toBeGreaterThan(30);
    expect(written).toBeGreaterThan(30);
  });
});
