/** `btf-bundle explain` CLI (built dist): text and JSON output, poisoned and error outcomes, exit codes. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testdata } from './btf-helpers.js';
import { firstSampleKernel } from './build-fixtures.js';
import { runCli } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

const explain = (...args: string[]) => runCli(['explain', ...args]);

describe('btf-bundle explain', () => {
  it('prints the counts, then one line per relocation with the value, poisoned or error', () => {
    const r = explain(join(testdata, 'enums.bpf.o'), '--btf', join(testdata, 'targets/enums.o'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/enums\.bpf\.o: 8 relocations: \d+ relocated \(\d+ absent\), \d+ poisoned/);
    expect(r.stdout).toMatch(/relo #0 .*enum en::EN_B = 1 -> .*EN_B = 2: = 2/);
    expect(r.stdout).toMatch(/relo #3 .*EN_GONE.*poisoned \(guarded\)/);
  });

  it('--json gives one object per relocation', () => {
    const r = explain(
      join(testdata, 'bug6_first_candidate.bpf.o'),
      '--btf',
      join(testdata, 'targets/candidates.o'),
      '--json',
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.program, l.outcome, l.value])).toEqual([
      ['reloc_a', 'relocated', '0'],
      ['reloc_b', 'relocated', '4'],
    ]);
  });

  it('an object libbpf rejects: the error is shown and the exit code is 1', () => {
    const r = explain(
      join(testdata, 'err_ambiguity.bpf.o'),
      '--btf',
      join(testdata, 'targets/candidates.o'),
      '--json',
    );
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout.trim()).error).toMatch(/EINVAL: field offset ambiguity/);
  });

  it('bad input names the file; missing --btf is a usage error', () => {
    const r = explain(join(testdata, 'no_btf.bpf.o'), '--btf', join(testdata, 'targets/enums.o'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no_btf\.bpf\.o: section \.BTF not found/);
    expect(explain(join(testdata, 'enums.bpf.o')).status).toBe(2);
  });

  it('escapes control characters of file, section, program and type names in the text, not in the JSON', () => {
    const dir = temp('btf-explain-ctl-');
    const bytes = readFileSync(join(testdata, 'execsnoop.bpf.o'));
    /** execsnoop with `from` replaced by `to` (as many bytes) wherever it occurs. */
    const forged = (name: string, from: string, to: string) => {
      const path = join(dir, name);
      writeFileSync(path, bytes.toString('latin1').replaceAll(from, to), 'latin1');
      return path;
    };
    const evilName = forged('ex\nFAKE: all good\x1b[31mRED\x1b[0m.bpf.o', '\0', '\0');
    const evilSection = forged('sec.bpf.o', 'syscalls', '\nFAKE\x1b[m');
    const evilType = forged('type.bpf.o', 'task_struct', 'ta\nFAKE\x1b[0m');
    const btf = firstSampleKernel();
    const name = explain(evilName, '--btf', btf);
    expect(name.status, name.stderr).toBe(0);
    expect(name.stdout).toContain('ex\\nFAKE: all good\\x1b[31mRED\\x1b[0m.bpf.o: ');
    const section = explain(evilSection, '--btf', btf);
    expect(section.stdout).toMatch(/^ {2}tracepoint\/\\nFAKE\\x1b\[m\/sys_enter_execve prog /m);
    const type = explain(evilType, '--btf', btf);
    expect(type.stdout).toContain('ta\\nFAKE\\x1b[0m');
    for (const r of [name, section, type]) {
      expect(r.stdout).not.toContain('\x1b');
      expect(r.stdout).not.toMatch(/^FAKE/m);
    }
    const json = explain(evilType, '--btf', btf, '--json');
    expect(json.stdout).not.toContain('\x1b');
    expect(
      json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).local)
        .join(),
    ).toContain('ta\nFAKE\x1b[0m');
  });
});
