/**
 * `btf-bundle min-core-btf` CLI (built dist): single form equals the library; batch form over a BTFHub-layout
 * tree with a corrupt kernel isolates the failure, prints a summary, exits 1, and writes for every good kernel
 * exactly the bytes the single form writes; usage errors exit non-zero.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Btf } from '../src/btf/btf.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { fixture, repoRoot, testdata } from './btf-helpers.js';
import { copySnapshot } from './build-fixtures.js';

const cli = resolve(import.meta.dirname, '../dist/bin/btf-bundle.cjs');
const dir = mkdtempSync(join(tmpdir(), 'cli-min-core-btf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const objects = ['opensnoop', 'tcpstates'].map((n) => join(testdata, `${n}.bpf.o`));
const kernels = ['x86_64/6.1.0-47-amd64', 'arm64/6.1.0-50-arm64'].map((k) =>
  join(repoRoot, 'sample-snapshot/debian/12', `${k}.btf.tar.xz`),
);

/** A BTFHub-layout temp tree holding copies of `kernels`. */
const snapshotTree = () => copySnapshot((path) => kernels.includes(path));

function run(args: string[]) {
  return spawnSync('node', [cli, 'min-core-btf', ...args], { encoding: 'utf8' });
}

/** `min-core-btf` with `args`, the process started with a preload script of `code` (`node -r`). */
function runWithPreload(code: string, args: string[]) {
  const preload = join(dir, `preload-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(preload, code);
  return spawnSync('node', ['-r', preload, cli, 'min-core-btf', ...args], { encoding: 'utf8' });
}

/** The batch form over `tree` into `out` on `workers` lanes, with `objects`. */
function batch(tree: string, out: string, workers: string) {
  return run([
    '--inputdir',
    tree,
    '--outputdir',
    out,
    '--workers',
    workers,
    ...objects.flatMap((o) => ['--object', o]),
  ]);
}

describe('btf-bundle min-core-btf', () => {
  it('single form writes the library output (robust and bpftool modes)', async () => {
    const target = Btf.parse(await readKernelBtf(kernels[0]!));
    for (const mode of ['robust', 'bpftool'] as const) {
      const out = join(dir, `single-${mode}.btf`);
      const r = run(['--mode', mode, kernels[0]!, out, ...objects]);
      expect(r.status, r.stderr).toBe(0);
      const expected = minimizeBtf(
        target,
        objects.map((o) => fixture(o.slice(testdata.length + 1))),
        { mode },
      ).btf;
      expect(Buffer.compare(readFileSync(out), expected)).toBe(0);
    }
  });

  it('batch with a corrupt kernel: isolated failure, summary, exit 1, outputs identical to the single form', () => {
    const tree = snapshotTree();
    // A raw kernel with a garbled header, and a raw copy of a good one.
    writeFileSync(
      join(tree, 'debian/12/x86_64/6.1.0-99-amd64.btf'),
      Buffer.from('\x9f\xeb\x01\x00garbage-kernel'),
    );
    const raw = join(tree, 'debian/12/x86_64/6.1.0-98-amd64.btf');
    execFileSync('sh', ['-c', `tar -xJOf '${kernels[0]}' > '${raw}'`]);
    const out = join(dir, 'batch-out');
    const r = batch(tree, out, '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/FAILED .*6\.1\.0-99-amd64/);
    expect(r.stderr).not.toMatch(/FAILED .*6\.1\.0-(47|50|98)/);
    expect(r.stdout).toMatch(/4 kernels, 3 written \(\d+ bytes\), 1 failed/);
    const single = (input: string, name: string) => {
      const o = join(dir, name);
      expect(run([input, o, ...objects]).status).toBe(0);
      return readFileSync(o);
    };
    const expected: [string, string][] = [
      ['debian/12/x86_64/6.1.0-47-amd64.btf', kernels[0]!],
      ['debian/12/arm64/6.1.0-50-arm64.btf', kernels[1]!],
      ['debian/12/x86_64/6.1.0-98-amd64.btf', raw],
    ];
    for (const [i, [rel, input]] of expected.entries()) {
      expect(Buffer.compare(readFileSync(join(out, rel)), single(input, `single-${i}`)), rel).toBe(0);
    }
  });

  it('batch caps --workers above the cores at the cores, with a warning', () => {
    const cores = availableParallelism();
    const r = batch(snapshotTree(), join(dir, 'lanes-capped'), String(cores + 50));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `warning: --workers ${cores + 50} is more than the ${cores} cores of this machine: ${cores} used`,
    );
  });

  it('batch on two lanes writes the same bytes as on one; an unwritable output fails only its kernel', () => {
    const tree = snapshotTree();
    const one = join(dir, 'lanes-1');
    const two = join(dir, 'lanes-2');
    expect(batch(tree, one, '1').status).toBe(0);
    expect(batch(tree, two, '2').status).toBe(0);
    for (const rel of ['debian/12/x86_64/6.1.0-47-amd64.btf', 'debian/12/arm64/6.1.0-50-arm64.btf']) {
      expect(Buffer.compare(readFileSync(join(one, rel)), readFileSync(join(two, rel))), rel).toBe(0);
    }
    // The arm64 output directory is a file: that kernel cannot be written, the other still is.
    const blocked = join(dir, 'blocked');
    mkdirSync(join(blocked, 'debian/12'), { recursive: true });
    writeFileSync(join(blocked, 'debian/12/arm64'), 'not a directory');
    const r = batch(tree, blocked, '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /FAILED debian\/12\/arm64\/6\.1\.0-50-arm64: cannot write .*6\.1\.0-50-arm64\.btf/,
    );
    expect(r.stdout).toMatch(/2 kernels, 1 written \(\d+ bytes\), 1 failed/);
    expect(readFileSync(join(blocked, 'debian/12/x86_64/6.1.0-47-amd64.btf')).length).toBeGreaterThan(0);
  });

  it('on a raw kernel loads neither the xz decoders nor the bundle decoder (no child_process, no zlib), nor node:tty', async () => {
    const raw = join(dir, 'raw-kernel.btf');
    writeFileSync(raw, await readKernelBtf(kernels[0]!));
    const loaded = join(dir, 'loaded-modules.txt');
    // A preload that records the Node built-ins the process loaded, at its exit.
    const r = runWithPreload(
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join('\\n')));`,
      [raw, join(dir, 'raw.btf'), ...objects],
    );
    expect(r.status, r.stderr).toBe(0);
    const builtins = readFileSync(loaded, 'utf8').split('\n');
    expect(builtins).toContain('NativeModule fs');
    expect(builtins).not.toContain('NativeModule child_process');
    expect(builtins).not.toContain('NativeModule zlib');
    expect(builtins).not.toContain('NativeModule tty');
  });

  it('gives V8 a larger interrupt budget and no inlining for one kernel only, not for a batch', () => {
    const flags = join(dir, 'v8-flags.txt');
    // A preload that records what the executable passes to v8.setFlagsFromString.
    const recorder = `const v8 = require('node:v8'); const set = v8.setFlagsFromString;
      v8.setFlagsFromString = (f) => { require('node:fs').appendFileSync(${JSON.stringify(flags)}, f + '\\n'); set(f); };`;
    const single = runWithPreload(recorder, [kernels[0]!, join(dir, 'flags.btf'), ...objects]);
    expect(single.status, single.stderr).toBe(0);
    expect(single.stderr).toBe('');
    expect(readFileSync(flags, 'utf8')).toBe('--no-turbo-inlining --interrupt-budget=540672\n');
    rmSync(flags);
    const tree = snapshotTree();
    const many = runWithPreload(recorder, [
      '--inputdir',
      tree,
      '--outputdir',
      join(dir, 'flags-batch'),
      '--object',
      objects[0]!,
    ]);
    expect(many.status, many.stderr).toBe(0);
    expect(() => readFileSync(flags)).toThrow(/ENOENT/);
  });

  it('usage and input errors exit non-zero with a message naming the file', () => {
    expect(run([]).status).toBe(2);
    expect(run(['--inputdir', dir]).status).toBe(2);
    expect(run(['--mode', 'nope', kernels[0]!, join(dir, 'x.btf'), objects[0]!]).status).toBe(2);
    const bad = run([kernels[0]!, join(dir, 'x.btf'), join(testdata, 'no_btf.bpf.o')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/no_btf\.bpf\.o.*\.BTF/);
    const err = run([
      join(testdata, 'targets/candidates.o'),
      join(dir, 'x.btf'),
      join(testdata, 'err_ambiguity.bpf.o'),
    ]);
    expect(err.status).toBe(1);
    expect(err.stderr).toMatch(/err_ambiguity\.bpf\.o.*relocation #0.*ambiguity/);
  });
});
