/**
 * One error printer and one surface for every command of the built CLI: every failure (missing, unreadable,
 * foreign, corrupt or non-regular inputs, unwritable outputs, a runtime error of a bad bundle) is exactly one
 * bounded `btf-bundle: …` line naming the file, exit 1, no stack; every command-line mistake is one line, exit 2;
 * `--version`, `help <command>`, several values after `--objects`/`--object`, and a filter that selects no
 * kernel naming itself.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_ERROR_LINE } from '@btf-bundle/runtime/internal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testdata } from './btf-helpers.js';
import { copySnapshot, firstSampleKernel } from './build-fixtures.js';
import { runCli } from './cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-cli-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...parts: string[]) => join(dir, ...parts);
const objects = ['opensnoop', 'tcpstates'].map((n) => join(testdata, `${n}.bpf.o`));

let snapshot: string;
let bundle: Uint8Array;
beforeAll(() => {
  snapshot = copySnapshot((path) => path === firstSampleKernel());
  const built = runCli([
    'build',
    '--snapshot',
    snapshot,
    '--objects',
    ...objects,
    '--out',
    at('b.bin'),
    '--no-cache',
  ]);
  expect(built.status, built.stderr).toBe(0);
  bundle = readFileSync(at('b.bin'));
  mkdirSync(at('a-dir'));
  writeFileSync(at('empty'), '');
  writeFileSync(at('text'), 'hello\n');
  execFileSync('mkfifo', [at('fifo')]);
});
afterAll(() => rmSync(snapshot, { recursive: true, force: true }));

/** Expect exactly one `btf-bundle: …` line on stderr matching `message`, exit `status`, nothing else. */
function expectOneLine(args: string[], status: 1 | 2, message: RegExp) {
  const r = runCli(args);
  expect(r.stderr).toMatch(/^btf-bundle: [^\n]+\n$/);
  expect(r.stderr).not.toMatch(/\s+at .*:\d+:\d+/);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.length).toBeLessThan(MAX_ERROR_LINE + 100);
  expect(r.status, r.stderr).toBe(status);
}

describe('failures: one line naming the file, exit 1', () => {
  it('inspect of missing, directory, FIFO, empty, foreign, truncated and corrupt bundles', () => {
    const truncated = at('truncated.bin');
    writeFileSync(truncated, bundle.subarray(0, bundle.length >> 1));
    const corrupt = at('corrupt.bin');
    const flipped = Uint8Array.from(bundle);
    for (let i = 64; i < flipped.length; i += 97) flipped[i] = (flipped[i] as number) ^ 0x5a;
    writeFileSync(corrupt, flipped);
    expectOneLine(
      ['inspect', at('nope.bin')],
      1,
      /nope\.bin: cannot open: no such file or directory \(ENOENT\)/,
    );
    expectOneLine(['inspect', at('a-dir')], 1, /a-dir: is a directory, not a file/);
    expectOneLine(['inspect', at('fifo')], 1, /fifo: is a FIFO, not a file/);
    expectOneLine(['inspect', at('empty')], 1, /empty: /);
    expectOneLine(['inspect', objects[0] as string], 1, /opensnoop\.bpf\.o: not a btf-bundle/);
    expectOneLine(['inspect', truncated], 1, /truncated\.bin: /);
    expectOneLine(['inspect', corrupt], 1, /corrupt\.bin: /);
  });

  it('min-core-btf and explain with missing, non-regular and foreign inputs', () => {
    const kernel = firstSampleKernel();
    const [object] = objects as [string];
    expectOneLine(['min-core-btf', at('nope.btf'), at('o.btf'), object], 1, /nope\.btf: .*\(ENOENT\)/);
    expectOneLine(
      ['min-core-btf', kernel, at('o.btf'), at('nope.o')],
      1,
      /nope\.o: cannot open: .*\(ENOENT\)/,
    );
    expectOneLine(['min-core-btf', kernel, at('o.btf'), at('fifo')], 1, /fifo: is a FIFO, not a file/);
    expectOneLine(
      ['min-core-btf', kernel, at('o.btf'), '/dev/null'],
      1,
      /\/dev\/null: is a character device/,
    );
    expectOneLine(
      ['min-core-btf', kernel, at('o.btf'), at('text')],
      1,
      /text \(ELF header, offset 0\): not an ELF/,
    );
    expectOneLine(['explain', at('a-dir'), '--btf', kernel], 1, /a-dir: is a directory, not a file/);
    expectOneLine(['explain', object, '--btf', at('text')], 1, /text\b.*: /);
  });

  it('an output that cannot be written names the output, not a temp file', () => {
    const args = ['min-core-btf', firstSampleKernel(), '/proc/btf-bundle-test.btf', objects[0] as string];
    expectOneLine(args, 1, /^btf-bundle: \/proc\/btf-bundle-test\.btf: cannot \w+: /);
    const inspect = ['inspect', at('b.bin'), '--extract', 'debian/12/none/1', '--out', at('x.btf')];
    expectOneLine(inspect, 1, /b\.bin: no BTF for kernel 'debian\/12\/none\/1'/);
  });

  it('build: missing objects or snapshot, and a filter that selects no kernel names the filter', () => {
    const build = (...extra: string[]) => ['build', '--out', at('o.bin'), '--no-cache', ...extra];
    expectOneLine(
      build('--snapshot', snapshot, '--objects', at('nope.o')),
      1,
      /objects: '.*nope\.o' does not exist/,
    );
    expectOneLine(
      build('--snapshot', snapshot, '--objects', at('*.nope')),
      1,
      /'.*\*\.nope' matches no file/,
    );
    expectOneLine(
      build('--snapshot', at('nope'), '--objects', ...objects),
      1,
      /snapshot .*nope is not a directory/,
    );
    expectOneLine(
      build(
        '--snapshot',
        snapshot,
        '--objects',
        ...objects,
        '--include',
        '**/nothing/*',
        '--exclude',
        '**/rt',
      ),
      1,
      /the filter \(include '\*\*\/nothing\/\*', exclude '\*\*\/rt'\) selects no kernel of snapshot/,
    );
  });

  it('a 100 KB argument echoed in an error is cut with an ellipsis', () => {
    for (const pattern of [`${'x'.repeat(100_000)}*.bpf.o`, `${'x'.repeat(100_000)}.bpf.o`]) {
      const r = runCli(['build', '--snapshot', snapshot, '--objects', pattern, '--out', at('o.bin')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^btf-bundle: objects: 'xxx+…\[\d+ characters cut\]…x*\*?\.bpf\.o' is longer than 4096 /,
      );
      expect(r.stderr.length).toBeLessThan(MAX_ERROR_LINE + 100);
    }
    const file = `${'y'.repeat(200)}/`.repeat(30);
    const r = runCli(['inspect', file]);
    expect(r.stderr).toMatch(
      /^btf-bundle: [y/]+…\[\d+ characters cut\]…[y/]+: cannot open: .*\(ENAMETOOLONG\)\n$/,
    );
  });
});

describe('command-line mistakes: one line, exit 2', () => {
  it.each([
    [['nope'], /unknown command 'nope'/],
    [['help', 'nope'], /unknown command 'nope'/],
    [['build', '--bad'], /^btf-bundle: build: unknown option '--bad' \(see 'btf-bundle help build'\)/],
    [['build', '--snapshot', 'x', '--out', 'y', 'stray'], /build: unexpected argument 'stray'/],
    [['build', '--snapshot', 'x'], /build: build needs --snapshot, --objects and --out/],
    [['build', '--snapshot', 'x', '--objects', 'o', '--out', 'y', '--mode', 'fast'], /--mode must be one of/],
    [
      ['build', '--snapshot', 'x', '--objects', 'o', '--out', 'y', '--no-cache', '--cache-dir', 'c'],
      /exclude/,
    ],
    [['min-core-btf', 'only-input'], /min-core-btf: expected INPUT OUTPUT OBJECT/],
    [['min-core-btf', '--inputdir', 'x', '--object', 'o'], /batch form needs --inputdir, --outputdir/],
    [['min-core-btf', '--workers', '0', 'a', 'b', 'c'], /--workers must be a positive integer, got '0'/],
    [['min-core-btf', '--workers', '2', 'a', 'b', 'c'], /--workers and --object belong to the batch form/],
    [['inspect'], /inspect: inspect needs exactly one BUNDLE, got 0/],
    [['inspect', 'a.bin', '--extract', 'k'], /--extract and --out go together/],
    [['explain', 'a.o'], /explain: expected OBJECT\.\.\. --btf FILE/],
    [['explain', '--btf'], /explain: option '--btf <value>' argument missing/],
  ])('%j', (args, message) => expectOneLine(args, 2, message));

  it('no arguments print the usage on stderr with exit 2', () => {
    const r = runCli([]);
    expect([r.status, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^usage:\n {2}btf-bundle min-core-btf/);
  });
});

describe('surface', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'));
    for (const flag of ['--version', '-V'])
      expect(runCli([flag])).toMatchObject({ status: 0, stdout: `${version}\n` });
  });

  it('help <command> is <command> --help, for every command', () => {
    for (const command of ['build', 'min-core-btf', 'inspect', 'explain']) {
      const help = runCli(['help', command]);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: btf-bundle ${command}`));
      expect(runCli([command, '--help']).stdout).toBe(help.stdout);
    }
    expect(runCli(['help']).stdout).toBe(runCli(['--help']).stdout);
    expect(runCli(['help', '--help'])).toMatchObject({ status: 0, stdout: runCli(['--help']).stdout });
    expect(runCli(['help']).stdout).toContain('btf-bundle help [COMMAND]');
  });

  it("each command's own usage line names the flags the overall usage gives it", () => {
    const overall = runCli(['--help']).stdout.split('\n');
    for (const command of ['build', 'min-core-btf', 'inspect', 'explain']) {
      const summary = overall.find((line) => line.startsWith(`  btf-bundle ${command} `))!;
      const own = runCli([command, '--help']).stdout.split('\n\n')[0]!; // its usage lines
      for (const flag of summary.match(/--[a-z-]+/g) ?? []) expect(own, command).toContain(flag);
    }
  });

  it('--objects takes several values, with braces and ? globs, like repeated flags', () => {
    const build = (out: string, ...objectArgs: string[]) => {
      const r = runCli([
        'build',
        '--snapshot',
        snapshot,
        ...objectArgs,
        '--out',
        at(out),
        '--no-cache',
        '--quiet',
      ]);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(at(out));
    };
    const repeated = build('repeated.bin', ...objects.flatMap((o) => ['--objects', o]));
    expect(build('several.bin', '--objects', ...objects)).toEqual(repeated);
    expect(build('braces.bin', '--objects', join(testdata, '{opensnoop,tcpstates}.bpf.o'))).toEqual(repeated);
    const question = join(testdata, 'opensnoo?.bpf.o');
    expect(build('question.bin', '--objects', question, join(testdata, 'tcp[s]tates.bpf.o'))).toEqual(
      repeated,
    );
  });

  it('--object of the batch form takes several values too', () => {
    const tree = copySnapshot((path) => path === firstSampleKernel());
    try {
      const out = at('batch-out');
      const r = runCli(['min-core-btf', '--inputdir', tree, '--outputdir', out, '--object', ...objects]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/1 kernels, 1 written/);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it('inputs are copied, never moved: a build leaves its objects in place', () => {
    const copy = at('copy.bpf.o');
    copyFileSync(objects[0] as string, copy);
    expect(
      runCli(['build', '--snapshot', snapshot, '--objects', copy, '--out', at('c.bin'), '--no-cache']).status,
    ).toBe(0);
    expect(readFileSync(copy)).toEqual(readFileSync(objects[0] as string));
  });
});
