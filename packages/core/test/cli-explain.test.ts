/** `btf-bundle explain` CLI (built dist): text and JSON output, poisoned and error outcomes, exit codes. */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testdata } from './btf-helpers.js';

const cli = resolve(import.meta.dirname, '../dist/bin/btf-bundle.js');
const explain = (...args: string[]) => spawnSync('node', [cli, 'explain', ...args], { encoding: 'utf8' });

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
    expect(explain(join(testdata, 'enums.bpf.o')).status).not.toBe(0);
  });
});
