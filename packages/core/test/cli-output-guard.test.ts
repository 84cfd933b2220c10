/**
 * No command writes over one of its inputs: every output flag of every command is refused (exit 1, one line naming
 * both paths) when it is an input, reaches one through a symbolic link, a linked directory or a hard link, lies in
 * an input directory, or collides with another output; an existing directory as a file output and an output under
 * a file are clear errors. Every refused run leaves every input byte-identical.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testdata } from './btf-helpers.js';
import { copySnapshot, firstSampleKernel } from './build-fixtures.js';
import { runCli } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-cli-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (...parts: string[]) => join(dir, ...parts);

/** sha256 of every file under `root` (or of `root` itself), by path. */
function fingerprint(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) for (const e of readdirSync(path)) walk(join(path, e));
    else out[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
  };
  walk(root);
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
    ...fingerprint(snapshot),
    ...fingerprint(kernel),
    ...fingerprint(object),
    ...fingerprint(bundle),
  };
});
afterAll(() => rmSync(snapshot, { recursive: true, force: true }));

/** Run the CLI, expect a one-line refusal matching `message` with exit 1, and every input unchanged. */
function expectRefused(args: string[], message: RegExp) {
  const r = runCli(args);
  expect(r.status, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^btf-bundle: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
  const after = {
    ...fingerprint(snapshot),
    ...fingerprint(kernel),
    ...fingerprint(object),
    ...fingerprint(bundle),
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

describe('build', () => {
  const build = (...extra: string[]) => ['build', '--snapshot', snapshot, '--objects', object, ...extra];

  it('refuses --out / --report on an object, in the snapshot or on a kernel', () => {
    expectRefused(build('--out', object), /--out .* is the object .*opensnoop\.bpf\.o/);
    expectRefused(build('--out', at('bundle2.bin'), '--report', object), /--report .* is the object/);
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
