/**
 * An output named `-` or `/dev/stdout` is standard output, also when it is a pipe (the CLI's own stdout here): the
 * bytes there are those written to a file, and the lines the command would print on stdout go to stderr instead.
 * A reader gone before the write (EPIPE) is one error line naming the output. `outputKind` tells standard output,
 * other descriptors' names and files apart.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputKind } from '../src/util/standard-output.js';
import { testdata } from './btf-helpers.js';
import { copySnapshot, SAMPLE_SNAPSHOT, sampleKernels } from './build-fixtures.js';
import { CLI, runCli } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();
const object = join(testdata, 'execsnoop.bpf.o');

describe('outputKind', () => {
  it('names standard output, other descriptors and files', () => {
    for (const path of [
      '-',
      '/dev/stdout',
      '/dev/fd/1',
      '/proc/self/fd/1',
      '/dev//stdout',
      '/dev/fd/../stdout',
    ])
      expect(outputKind(path), path).toBe('stdout');
    for (const path of [
      '/dev/stderr',
      '/dev/stdin',
      '/dev/fd/0',
      '/dev/fd/7',
      '/proc/self/fd/2',
      '/proc/1/fd/1',
    ])
      expect(outputKind(path), path).toBe('descriptor');
    for (const path of ['./-', 'out.btf', '/dev/null', '/tmp/dev/stdout', '/dev/fd'])
      expect(outputKind(path), path).toBe('file');
  });
});

describe('outputs on standard output (a pipe)', () => {
  it('build --report - and --report /dev/stdout: the JSON report on stdout, the table on stderr', () => {
    const dir = temp('btf-stdout-');
    const args = ['build', '--snapshot', SAMPLE_SNAPSHOT, '--objects', object, '--no-cache'];
    const toFile = runCli([...args, '--out', join(dir, 'a.bin'), '--report', join(dir, 'report.json')]);
    expect(toFile.status, toFile.stderr).toBe(0);
    expect(toFile.stdout).toMatch(/^kernel +status/);
    for (const name of ['-', '/dev/stdout']) {
      const r = runCli([...args, '--out', join(dir, 'b.bin'), '--report', name]);
      expect(r.status, r.stderr).toBe(0);
      // The reports differ in their timings only.
      const report = JSON.parse(r.stdout);
      const expected = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
      expect(report.kernels.map((k: { id: string; status: string }) => [k.id, k.status])).toEqual(
        expected.kernels.map((k: { id: string; status: string }) => [k.id, k.status]),
      );
      expect(r.stderr).toMatch(/\nkernel +status[\s\S]*\nwrote .*b\.bin\n$/);
    }
  });

  it('build --out -: the bundle on stdout', () => {
    const dir = temp('btf-stdout-');
    const args = ['build', '--snapshot', SAMPLE_SNAPSHOT, '--objects', object, '--no-cache', '--quiet'];
    expect(runCli([...args, '--out', join(dir, 'a.bin')]).status).toBe(0);
    const r = runCli([...args, '--out', '-'], undefined, 'latin1');
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.from(r.stdout, 'latin1')).toEqual(readFileSync(join(dir, 'a.bin')));
  });

  it('min-core-btf INPUT - OBJECT and inspect --extract --out -: the BTF on stdout', () => {
    const dir = temp('btf-stdout-');
    const kernel = sampleKernels()[0] as string;
    expect(runCli(['min-core-btf', kernel, join(dir, 'k.btf'), object]).status).toBe(0);
    const btf = readFileSync(join(dir, 'k.btf'));
    const r = runCli(['min-core-btf', kernel, '-', object], undefined, 'latin1');
    expect(r.status, r.stderr).toBe(0);
    expect(Buffer.from(r.stdout, 'latin1')).toEqual(btf);

    const bundle = join(dir, 'b.bin');
    const built = [
      'build',
      '--snapshot',
      SAMPLE_SNAPSHOT,
      '--objects',
      object,
      '--out',
      bundle,
      '--no-cache',
    ];
    expect(runCli(built).status).toBe(0);
    const id = kernel.slice(SAMPLE_SNAPSHOT.length + 1).replace(/\.btf\.tar\.xz$/, '');
    const extracted = runCli(
      ['inspect', bundle, '--extract', id, '--out', '/dev/stdout'],
      undefined,
      'latin1',
    );
    expect(extracted.status, extracted.stderr).toBe(0);
    expect(Buffer.from(extracted.stdout, 'latin1')).toEqual(btf);
    expect(extracted.stderr).toMatch(/^wrote \/dev\/stdout \(\d+ B\)\n$/);
  });
});

describe('standard output closed by its reader', () => {
  it('is one error line naming the output, exit 1', async () => {
    const kernel = sampleKernels()[0] as string;
    const child = spawn('node', [CLI, 'min-core-btf', kernel, '-', object], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // the reader is gone before the CLI writes
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect(stderr).toMatch(/^btf-bundle: -: cannot write: .*\(EPIPE\)\n$/);
    expect(code).toBe(1);
  });
});

/** Run `command` (`$CLI` is the CLI) in bash, as a shell user redirects it. */
function inShell(command: string, cwd?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', command], {
    cwd,
    encoding: 'latin1',
    env: { ...process.env, CLI },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('standard output checked before any work', () => {
  const kernel = () => sampleKernels()[0] as string;

  it('closed (>&-): refused with exit 2, nothing silently lost; >/dev/null on purpose still works', () => {
    const k = kernel();
    const closed = inShell(`node "$CLI" min-core-btf '${k}' - '${object}' >&-`);
    expect(closed.stderr).toMatch(
      /^btf-bundle: OUTPUT -: standard output is closed, the output would be lost \(to discard it, redirect it to \/dev\/null\)\n$/,
    );
    expect(closed.status).toBe(2);
    const build = inShell(
      `node "$CLI" build --snapshot '${SAMPLE_SNAPSHOT}' --objects '${object}' --out - --no-cache --quiet >&-`,
    );
    expect(build.stderr).toMatch(/--out -: standard output is closed/);
    expect(build.status).toBe(2);
    const discarded = inShell(`node "$CLI" min-core-btf '${k}' - '${object}' >/dev/null`);
    expect(discarded.stderr).toBe('');
    expect(discarded.status).toBe(0);
  });

  it('a terminal: binary BTF refused with exit 2 (a JSON report is written there)', () => {
    // script(1) (util-linux, Debian's essential bsdutils) runs the command on a pseudo-terminal; -e: its exit code.
    const k = kernel();
    const onTerminal = (command: string) => inShell(`script -qec '${command}' /dev/null`);
    const btf = onTerminal(`node "$CLI" min-core-btf ${k} - ${object}`);
    expect(btf.stdout).toMatch(
      /^btf-bundle: OUTPUT -: standard output is a terminal, refusing to write binary data there \(redirect it to a file or a pipe\)\r?\n$/,
    );
    expect(btf.status).toBe(2);
    const dir = temp('btf-stdout-');
    const report = onTerminal(
      `node "$CLI" build --snapshot ${SAMPLE_SNAPSHOT} --objects ${object} --out ${join(dir, 'a.bin')} --report - --no-cache --quiet`,
    );
    expect(report.status, report.stdout).toBe(0);
    expect(report.stdout).toMatch(/^\{\r?\n {2}"version": 1,/);
  });

  it('opened on an input (1<>INPUT, >>INPUT): refused with exit 2, the input unchanged', () => {
    const dir = temp('btf-stdout-');
    const copy = join(dir, 'obj.bpf.o');
    copyFileSync(object, copy);
    const before = readFileSync(copy);
    const k = kernel();
    for (const [name, redirect] of [
      ['-', `1<>'${copy}'`],
      ['/dev/stdout', `>>'${copy}'`],
    ] as const) {
      const r = inShell(`node "$CLI" min-core-btf '${k}' ${name} '${copy}' ${redirect}`);
      expect(r.stderr).toBe(
        `btf-bundle: OUTPUT ${name} (standard output, ${copy}) is the OBJECT ${copy}: refusing to write over an input\n`,
      );
      expect(r.status).toBe(2);
      expect(readFileSync(copy)).toEqual(before);
    }
    // build: its snapshot's kernel files too.
    const snapshot = copySnapshot((path) => path === k);
    const kernelCopy = join(snapshot, k.slice(SAMPLE_SNAPSHOT.length + 1));
    const build = inShell(
      `node "$CLI" build --snapshot '${snapshot}' --objects '${object}' --out - --no-cache --quiet >>'${kernelCopy}'`,
    );
    expect(build.stderr).toMatch(
      /--out - \(standard output, .*\) is the kernel .*: refusing to write over an input/,
    );
    expect(build.status).toBe(2);
  });
});
