/**
 * No command writes over one of its inputs: every output flag of every command is refused (exit 2, a command-line
 * mistake, one line naming both paths) when it is an input, reaches one through a symbolic link, a linked directory or a hard link, lies in
 * an input directory, or collides with another output; an existing directory as a file output and an output under
 * a file are clear errors; the batch form refuses a symbolic link to a directory under --outputdir (it would write
 * out of it), and no output may be the name of an open descriptor other than standard output (/dev/stderr).
 * Every refused run leaves every input byte-identical. Then randomized trees of
 * directories, files, symbolic (also dangling) and hard links, with random inputs and outputs: whatever
 * checkOutputs lets through is really written with the CLI's atomic write, and the file system is the oracle
 * (every input byte unchanged, every output holding what was written to it); a refusal must be an
 * OutputPathError. Seeded: a failure names its seed.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  linkSync,
  lstatSync,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutputs, GuardedInputs, type GuardedPath, OutputPathError } from '../src/output-guard.js';
import { writeOutputFile } from '../src/util/atomic-write.js';
import { testdata } from './btf-helpers.js';
import { copySnapshot, firstSampleKernel } from './build-fixtures.js';
import { runCli } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-cli-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (...parts: string[]) => join(dir, ...parts);

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

let snapshot: string;
let kernel: string;
let object: string;
let bundle: string;
let before: Record<string, string>;

beforeAll(() => {
  snapshot = copySnapshot((path) => path === firstSampleKernel());
  kernel = at('kernel.btf.tar.xz');
  copyFileSync(firstSampleKernel(), kernel);
  object = at('opensnoop.bpf.o');
  copyFileSync(join(testdata, 'opensnoop.bpf.o'), object);
  bundle = at('bundle.bin');
  const built = runCli(['build', '--snapshot', snapshot, '--objects', object, '--out', bundle, '--no-cache']);
  expect(built.status, built.stderr).toBe(0);
  mkdirSync(at('existing-dir'));
  writeFileSync(at('plain-file'), 'not a directory\n');
  before = {
    ...contents(snapshot),
    ...contents(kernel),
    ...contents(object),
    ...contents(bundle),
  };
});
afterAll(() => rmSync(snapshot, { recursive: true, force: true }));

/** Run the CLI, expect a one-line refusal matching `message` with exit 2, and every input unchanged. */
function expectRefused(args: string[], message: RegExp) {
  const r = runCli(args);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^btf-bundle: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
  const after = {
    ...contents(snapshot),
    ...contents(kernel),
    ...contents(object),
    ...contents(bundle),
  };
  expect(after).toEqual(before);
}

describe('min-core-btf INPUT OUTPUT OBJECT...', () => {
  const single = (output: string) => ['min-core-btf', kernel, output, object];

  it('refuses OUTPUT = INPUT and OUTPUT = an OBJECT', () => {
    expectRefused(single(kernel), /OUTPUT .* is the INPUT .*: refusing to write over an input/);
    expectRefused(single(object), /OUTPUT .* is the OBJECT .*opensnoop\.bpf\.o/);
    expectRefused(['min-core-btf', kernel, at('.', 'opensnoop.bpf.o'), object], /is the OBJECT/);
  });

  it('refuses an OUTPUT that reaches an input through a link, a linked directory or a hard link', () => {
    symlinkSync(kernel, at('link-to-kernel'));
    expectRefused(single(at('link-to-kernel')), /is the INPUT/);
    symlinkSync(dir, at('linked-dir'));
    expectRefused(single(at('linked-dir', 'opensnoop.bpf.o')), /is the OBJECT/);
    linkSync(object, at('hard-link.o'));
    expectRefused(single(at('hard-link.o')), /is the OBJECT/);
  });

  it('replaces an OUTPUT that is a link to a file elsewhere by the output, never writing through it', () => {
    writeFileSync(at('elsewhere.btf'), 'not to be touched\n');
    symlinkSync(at('elsewhere.btf'), at('output-link.btf'));
    const r = runCli(single(at('output-link.btf')));
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(at('output-link.btf')).isFile()).toBe(true);
    expect(readFileSync(at('elsewhere.btf'), 'utf8')).toBe('not to be touched\n');
  });

  it('says so when OUTPUT is a directory or lies under a file', () => {
    expectRefused(single(at('existing-dir')), /OUTPUT .*existing-dir is a directory/);
    expectRefused(single(at('plain-file', 'out.btf')), /plain-file is not a directory/);
    expectRefused(single(at('plain-file', 'a', 'b', 'out.btf')), /plain-file is not a directory/);
  });
});

describe('min-core-btf --inputdir --outputdir', () => {
  const batch = (input: string, output: string, ...objects: string[]) => [
    'min-core-btf',
    '--inputdir',
    input,
    '--outputdir',
    output,
    ...(objects.length ? objects : [object]).flatMap((o) => ['--object', o]),
  ];

  it('refuses --outputdir equal to, inside or around --inputdir, also through a link', () => {
    expectRefused(batch(snapshot, snapshot), /--outputdir .* is the --inputdir/);
    expectRefused(batch(snapshot, join(snapshot, 'out')), /--outputdir .* lies inside the --inputdir/);
    expectRefused(batch(join(snapshot, 'debian'), snapshot), /--outputdir .* contains the --inputdir/);
    symlinkSync(snapshot, at('snapshot-link'));
    expectRefused(batch(snapshot, at('snapshot-link', 'debian', 'x')), /lies inside the --inputdir/);
  });

  it('refuses an output file that would replace an object, and an existing file as --outputdir', () => {
    const tree = mkdtempSync(join(dir, 'out-'));
    const release = readdirSync(snapshot, { recursive: true })
      .map(String)
      .find((p) => p.endsWith('.btf.tar.xz')) as string;
    const target = join(tree, release.replace(/\.tar\.xz$/, ''));
    mkdirSync(join(target, '..'), { recursive: true });
    symlinkSync(object, target);
    expectRefused(batch(snapshot, tree), /output .* is the object .*opensnoop\.bpf\.o/);
    expectRefused(batch(snapshot, at('plain-file')), /--outputdir .*plain-file is a file, not a directory/);
  });
});

describe('min-core-btf --outputdir holding symbolic links', () => {
  const batch = (output: string) => [
    'min-core-btf',
    '--inputdir',
    snapshot,
    '--outputdir',
    output,
    '--object',
    object,
  ];
  /** The directory of the snapshot's one kernel, relative to the snapshot (`debian/12/x86_64`). */
  const kernelDir = () =>
    (
      readdirSync(snapshot, { recursive: true })
        .map(String)
        .find((p) => p.endsWith('.btf.tar.xz')) as string
    )
      .split('/')
      .slice(0, -1);

  it('refuses a linked directory on the way to an output, and writes nothing through it', () => {
    const [distro, version, arch] = kernelDir() as [string, string, string];
    for (const [name, depth] of [
      ['version', 1],
      ['arch', 2],
      ['distro', 0],
    ] as const) {
      const tree = mkdtempSync(join(dir, `linked-${name}-`));
      const elsewhere = mkdtempSync(join(dir, 'elsewhere-'));
      const parts = [distro, version, arch].slice(0, depth);
      mkdirSync(join(tree, ...parts), { recursive: true });
      const link = join(tree, ...parts, [distro, version, arch][depth] as string);
      symlinkSync(elsewhere, link);
      expectRefused(
        batch(tree),
        new RegExp(
          `output .*\\.btf: ${link.replace(/[.+]/g, '\\$&')} is a symbolic link \\(to .*elsewhere-.*\\): refusing to write through it out of the --outputdir`,
        ),
      );
      expect(readdirSync(elsewhere, { recursive: true }), name).toEqual([]);
    }
  });

  it('refuses a dangling link there too, and writes through real directories and an --outputdir that is a link', () => {
    const [distro] = kernelDir() as [string];
    const tree = mkdtempSync(join(dir, 'dangling-'));
    symlinkSync(join(dir, 'nowhere'), join(tree, distro));
    expectRefused(batch(tree), /is a symbolic link \(to .*nowhere\)/);
    // The directory named by --outputdir (and what lies above it) is the user's to choose, links included.
    const real = mkdtempSync(join(dir, 'real-out-'));
    symlinkSync(real, at('out-link'));
    const r = runCli(batch(at('out-link')));
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(real, { recursive: true }).map(String)).toContain(kernelDir().join('/'));
  });
});

describe('build', () => {
  const build = (...extra: string[]) => ['build', '--snapshot', snapshot, '--objects', object, ...extra];

  it('refuses --out / --report on an object, in the snapshot or on a kernel', () => {
    expectRefused(build('--out', object), /--out .* is the object .*opensnoop\.bpf\.o/);
    expectRefused(build('--out', at('bundle2.bin'), '--report', object), /--report .* is the object/);
    expectRefused(
      build('--out', at('bundle2.bin'), '--report-html', object),
      /--report-html .* is the object/,
    );
    expectRefused(
      build('--out', at('h.html'), '--report-html', at('h.html')),
      /--out and --report-html are the same/,
    );
    expectRefused(build('--out', join(snapshot, 'bundle.bin')), /--out .* lies inside the snapshot/);
    const kernelInSnapshot = readdirSync(snapshot, { recursive: true })
      .map(String)
      .find((p) => p.endsWith('.btf.tar.xz')) as string;
    expectRefused(
      build('--out', join(snapshot, kernelInSnapshot)),
      /--out .* is the kernel .*\.btf\.tar\.xz/,
    );
    expectRefused(
      build('--out', at('b.bin'), '--cache-dir', join(snapshot, 'cache')),
      /--cache-dir .* lies inside/,
    );
  });

  it('refuses an --out that is a kernel file the snapshot links to from elsewhere', () => {
    const linked = at('linked-snapshot', 'debian', '12', 'x86_64');
    mkdirSync(linked, { recursive: true });
    symlinkSync(kernel, join(linked, '6.1.0-1-amd64.btf.tar.xz'));
    const args = ['build', '--snapshot', at('linked-snapshot'), '--objects', object, '--out', kernel];
    expectRefused(args, /--out .*kernel\.btf\.tar\.xz is the kernel .*6\.1\.0-1-amd64\.btf\.tar\.xz/);
  });

  it('refuses two outputs on one path, also through a link', () => {
    expectRefused(
      build('--out', at('x.bin'), '--report', at('x.bin')),
      /--out and --report are the same path/,
    );
    symlinkSync(at('y.json'), at('y-link.json'));
    writeFileSync(at('y.json'), '{}');
    expectRefused(build('--out', at('y.json'), '--report', at('y-link.json')), /are the same path/);
    expectRefused(build('--out', at('c'), '--cache-dir', at('c')), /--out and --cache-dir are the same path/);
  });

  it('says so when --out is a directory or lies under a file, and refuses devices and FIFOs', () => {
    expectRefused(build('--out', at('existing-dir')), /--out .*existing-dir is a directory/);
    expectRefused(
      build('--out', at('b.bin'), '--report', '/dev/null'),
      /--report \/dev\/null is not a regular file/,
    );
    execFileSync('mkfifo', [at('fifo')]);
    expectRefused(build('--out', at('fifo')), /--out .*fifo is not a regular file/);
    expectRefused(build('--out', at('plain-file', 'b.bin')), /plain-file is not a directory/);
  });

  it('refuses the name of an open descriptor other than standard output', () => {
    for (const path of ['/dev/stderr', '/dev/fd/2', '/dev/fd/3', '/proc/self/fd/0', '/dev/stdin']) {
      expectRefused(
        build('--out', at('b.bin'), '--report', path),
        /--report \/[a-z/0-9]+ names an open descriptor, not a file: only standard output can be written so, as '-'/,
      );
    }
    expectRefused(build('--out', '-', '--report', '/dev/stdout'), /--out and --report are the same path/);
    expectRefused(
      ['min-core-btf', '--inputdir', snapshot, '--outputdir', '-', '--object', object],
      /--outputdir - is standard output, not a directory/,
    );
  });
});

describe('inspect --extract --out', () => {
  it('refuses --out = BUNDLE, directly or through a link', () => {
    const extract = (out: string) => ['inspect', bundle, '--extract', 'debian/12/x/y', '--out', out];
    expectRefused(extract(bundle), /--out .* is the BUNDLE/);
    symlinkSync(bundle, at('bundle-link'));
    expectRefused(extract(at('bundle-link')), /--out .* is the BUNDLE/);
    expectRefused(extract(at('existing-dir')), /is a directory/);
  });
});

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
      const dir = at(`fuzz-${seed}`);
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
