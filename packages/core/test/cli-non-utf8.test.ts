/**
 * File names that are not valid UTF-8 (Linux names are bytes; Node's strings put U+FFFD in place of the bytes that
 * are not UTF-8, so it cannot open such a file): an object or kernel so named is refused, and a snapshot directory
 * or kernel file so named is reported, each naming the file by its bytes (`\xNN`), never said to be missing nor
 * lost in silence.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeNonUtf8Path, escapeNonUtf8 } from '../src/util/utf8-names.js';
import { testdata } from './btf-helpers.js';
import { firstSampleKernel } from './build-fixtures.js';
import { CLI } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();
const REASON = 'the name is not valid UTF-8, which btf-bundle cannot open: rename it';

/** `dir` joined with `name` as bytes: Buffer paths reach the file system byte for byte. */
const bytesPath = (dir: string, name: string) =>
  Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(name, 'latin1')]);

/** Run `command` in bash in `cwd` (`$CLI` is the CLI): a shell passes the names' bytes as they are. */
function inShell(command: string, cwd: string) {
  return spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, CLI } });
}

/** A temp dir holding objs/exec\xff.bpf.o, objs/open.bpf.o and a snapshot with a kernel of a good name, one of a
 * bad name and one under a directory of a bad name. */
function fixture(): string {
  const dir = temp('btf-non-utf8-');
  mkdirSync(join(dir, 'objs'));
  copyFileSync(join(testdata, 'execsnoop.bpf.o'), bytesPath(join(dir, 'objs'), 'exec\xff.bpf.o'));
  copyFileSync(join(testdata, 'opensnoop.bpf.o'), join(dir, 'objs/open.bpf.o'));
  const kernel = firstSampleKernel();
  const arch = join(dir, 'snap/debian/12/x86_64');
  mkdirSync(arch, { recursive: true });
  copyFileSync(kernel, join(arch, '6.1.0-1-amd64.btf.tar.xz'));
  copyFileSync(kernel, bytesPath(arch, '6.1.0-2-\xff\xfe-amd64.btf.tar.xz'));
  mkdirSync(bytesPath(join(dir, 'snap/debian'), '\xc3/x86_64'), { recursive: true });
  copyFileSync(kernel, bytesPath(join(dir, 'snap/debian'), '\xc3/x86_64/6.1.0-3-amd64.btf.tar.xz'));
  return dir;
}

describe('escapeNonUtf8 and describeNonUtf8Path', () => {
  it('write the bytes that are not UTF-8 as \\xNN, keeping valid characters', () => {
    expect(escapeNonUtf8(Buffer.from('a\xffb\xc3', 'latin1'))).toBe('a\\xffb\\xc3');
    expect(escapeNonUtf8(Buffer.from('é€😀\uFFFD'))).toBe('é€😀\uFFFD');
    expect(escapeNonUtf8(Buffer.from([0xe2, 0x82, 0x41]))).toBe('\\xe2\\x82A');
  });

  it("find the file behind Node's name for it; undefined for a file that is really missing", () => {
    const dir = fixture();
    expect(describeNonUtf8Path(join(dir, 'objs/exec\uFFFD.bpf.o'))).toBe(join(dir, 'objs/exec\\xff.bpf.o'));
    expect(describeNonUtf8Path(join(dir, 'snap/debian/\uFFFD/x86_64/6.1.0-3-amd64.btf.tar.xz'))).toBe(
      join(dir, 'snap/debian/\\xc3/x86_64/6.1.0-3-amd64.btf.tar.xz'),
    );
    expect(describeNonUtf8Path(join(dir, 'objs/open\uFFFD.bpf.o'))).toBeUndefined();
    expect(describeNonUtf8Path(join(dir, 'objs/open.bpf.o'))).toBeUndefined();
  });
});

describe('the CLI with file names that are not valid UTF-8', () => {
  it('an object by glob or on the command line, a kernel on the command line: refused, named by their bytes', () => {
    const dir = fixture();
    const kernel = firstSampleKernel();
    const glob = inShell(
      `node "$CLI" build --snapshot snap --objects 'objs/*' --out b.bin --no-cache --quiet`,
      dir,
    );
    expect(glob.stderr).toBe(
      `btf-bundle: objects: 'objs/*' matches ${dir}/objs/exec\\xff.bpf.o: ${REASON}\n`,
    );
    expect(glob.status).toBe(1);
    const argv = inShell(`node "$CLI" explain "$(printf 'objs/exec\\xff.bpf.o')" --btf '${kernel}'`, dir);
    expect(argv.stderr).toBe(`btf-bundle: ${dir}/objs/exec\\xff.bpf.o: ${REASON}\n`);
    expect(argv.status).toBe(1);
    const input = inShell(
      `node "$CLI" min-core-btf "$(printf 'snap/debian/\\xc3/x86_64/6.1.0-3-amd64.btf.tar.xz')" - objs/open.bpf.o`,
      dir,
    );
    expect(input.stderr).toBe(
      `btf-bundle: ${dir}/snap/debian/\\xc3/x86_64/6.1.0-3-amd64.btf.tar.xz: ${REASON}\n`,
    );
    expect(input.status).toBe(1);
  });

  it('a snapshot dir or kernel file so named: reported (not read), and fatal with --fail-on unreadable', () => {
    const dir = fixture();
    const build = inShell(
      `node "$CLI" build --snapshot snap --objects objs/open.bpf.o --out b.bin --no-cache`,
      dir,
    );
    expect(build.status, build.stderr).toBe(0);
    expect(build.stderr).toContain(`warning: ${dir}/snap/debian/\\xc3: ${REASON}\n`);
    expect(build.stderr).toContain(
      `warning: ${dir}/snap/debian/12/x86_64/6.1.0-2-\\xff\\xfe-amd64.btf.tar.xz: ${REASON}\n`,
    );
    expect(build.stderr).not.toMatch(/ENOENT|no such file|\uFFFD/);
    const strict = inShell(
      `node "$CLI" build --snapshot snap --objects objs/open.bpf.o --out b.bin --no-cache --quiet --fail-on unreadable`,
      dir,
    );
    // --quiet keeps the two warnings; the error line ends the run.
    expect(strict.stderr).toMatch(
      /^(warning: .*\n){2}btf-bundle: 2 kernel\(s\) failed with --fail-on unreadable; first: .*\\xc3: the name is not valid UTF-8/,
    );
    expect(strict.status).toBe(1);
    const batch = inShell(
      `node "$CLI" min-core-btf --inputdir snap --outputdir out --object objs/open.bpf.o`,
      dir,
    );
    expect(batch.stderr).toContain(`skipped ${dir}/snap/debian/\\xc3: ${REASON}\n`);
    expect(batch.stdout).toMatch(/^min-core-btf: 1 kernels, 1 written/);
  });
});
