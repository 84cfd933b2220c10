/**
 * Tests of the oracles themselves: the libbpf relocation harness must report every CO-RE
 * relocation exactly once, agree with upstream's claim that bpftool's reduced BTF relocates
 * identically, and detect corrupted or insufficient BTFs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bpftoolMissing, libbpfHarnessMissing, oracleSkipReason } from './availability.js';
import { bpftoolMinCoreBtf, bpftoolMinCoreBtfOk } from './bpftool.js';
import { extractBtfTarXz, filesUnder, oracleTempDir, writeTempBtf } from './btf-files.js';
import { shiftEnumValue, shiftMemberOffset } from './btf-patch.js';
import { listCoreRelos } from './elf-core-relos.js';
import {
  compareRelocations,
  formatRelocationDifferences,
  type LibbpfRelocation,
  type LibbpfRun,
  libbpfCompare,
  libbpfRelocate,
} from './libbpf.js';

const repo = resolve(import.meta.dirname, '../..');
const testdata = join(import.meta.dirname, 'testdata');
const corpus = join(repo, 'packages/core/testdata');
const probe = join(testdata, 'oracle-probe.bpf.o');
const mmOnly = join(testdata, 'mm-only.bpf.o');
const ambiguousTarget = join(testdata, 'ambiguous-target.bpf.o');

/**
 * Kernels: the oldest and newest x86_64 and the oldest arm64 Debian 12 kernel of
 * sample-snapshot; without a snapshot (early development) the running kernel's BTF.
 */
function kernels(): string[] {
  const x86 = filesUnder(join(repo, 'sample-snapshot/debian/12/x86_64'), '.btf.tar.xz');
  const arm = filesUnder(join(repo, 'sample-snapshot/debian/12/arm64'), '.btf.tar.xz');
  const picked = [x86[0], x86[x86.length - 1], arm[0]].filter((k): k is string => k !== undefined);
  if (picked.length > 0) return [...new Set(picked)];
  return existsSync('/sys/kernel/btf/vmlinux') ? ['/sys/kernel/btf/vmlinux'] : [];
}

/** The objects at the top of packages/core/testdata (not the agent corpus under agent/, checked by test/core). */
function corpusObjects(): string[] {
  return filesUnder(corpus, '.bpf.o').filter((o) => dirname(o) === corpus);
}

/** Objects: this directory's probe object plus the corpus of packages/core/testdata. */
function objects(): string[] {
  return [probe, mmOnly, ...corpusObjects()];
}

function byName(
  run: { relocations: LibbpfRelocation[] },
  kindName: string,
  specPart: string,
  section?: string,
) {
  const found = run.relocations.filter(
    (r) =>
      r.kindName === kindName &&
      r.spec?.includes(specPart) &&
      (section === undefined || r.section === section),
  );
  expect(found, `${kindName} ${specPart}`).toHaveLength(1);
  return found[0]!;
}

/** llvm-objdump (>= 17 prints CO-RE relocations), if installed; optional cross-check only. */
const objdump = ['llvm-objdump-19', 'llvm-objdump'].find((cmd) => {
  try {
    const major = execFileSync(cmd, ['--version'], { encoding: 'utf8' }).match(/LLVM version (\d+)/)?.[1];
    return Number(major) >= 17;
  } catch {
    return false;
  }
});

const skip = oracleSkipReason(libbpfHarnessMissing(), bpftoolMissing());

describe.skipIf(skip !== undefined)(`oracles${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const kernel = kernels()[0];

  it('has a kernel BTF to work with', () => {
    expect(kernel, 'no sample-snapshot kernel and no /sys/kernel/btf/vmlinux').toBeDefined();
  });

  it('reports every CO-RE relocation of every object exactly once, in file order', async () => {
    for (const object of objects()) {
      const run = await libbpfRelocate(object, kernel!);
      if (run.object.problem !== undefined && object.includes('packages/core/testdata')) {
        continue; // deliberately malformed or big-endian corpus object: nothing to count
      }
      const expected = listCoreRelos(object);
      const got = run.relocations.map((r) => ({
        section: r.section,
        reloIndex: r.reloIndex,
        insnIndex: r.insnIndex,
        kind: r.kind,
      }));
      expect(got, object).toEqual(expected);
      if (objdump !== undefined) {
        // a second, upstream count: llvm-objdump prints one `CO-RE <kind>` line per record
        const text = execFileSync(objdump, ['-dr', object], { encoding: 'utf8', maxBuffer: 256 << 20 });
        expect(text.match(/CO-RE </g)?.length ?? 0, object).toBe(got.length);
      }
      expect(new Set(got.map((r) => `${r.section}#${r.reloIndex}`)).size, object).toBe(got.length);
    }
  });

  it('relocates the probe object as libbpf does: values, poison, targets, force-loaded ? sections', async () => {
    const run = await libbpfRelocate(probe, kernel!, { keepLog: true });
    expect(run.object.relocated).toBe(true);
    expect(listCoreRelos(probe).length).toBe(39);
    // every relocation processed, including those of SEC("?kprobe/...") and the .text subprogram
    expect(run.relocations.filter((r) => r.outcome === 'skipped')).toEqual([]);
    expect(run.relocations.filter((r) => r.section === '.text').map((r) => r.program)).toEqual([
      'subprog_parent_pid',
      'subprog_parent_pid',
    ]);
    const missingField = byName(run, 'FIELD_BYTE_OFFSET', '.field_that_does_not_exist');
    expect(missingField).toMatchObject({ outcome: 'poison', reason: 'no-match' });
    expect(byName(run, 'FIELD_EXISTS', '.field_that_does_not_exist')).toMatchObject({
      outcome: 'value',
      value: 0n,
    });
    expect(byName(run, 'TYPE_ID_TARGET', 'task_struct')).toMatchObject({
      outcome: 'value',
      patch: 'ldimm64',
      target: { kind: 'struct', name: 'task_struct' },
    });
    expect(byName(run, 'TYPE_EXISTS', 'struct_that_does_not_exist_anywhere')).toMatchObject({ value: 0n });
    expect(byName(run, 'ENUMVAL_VALUE', 'PIDTYPE_MAX')).toMatchObject({ outcome: 'value', value: 4n });
    expect(byName(run, 'ENUMVAL_VALUE', 'PIDTYPE_NOT_IN_KERNEL')).toMatchObject({ outcome: 'poison' });
    // direct loads: LDX offset patching, load width adjustment, and its refusal (poison)
    expect(byName(run, 'FIELD_BYTE_OFFSET', 'task_struct.pid', '?tp_btf/sched_switch')).toMatchObject({
      patch: 'ldx',
    });
    expect(byName(run, 'FIELD_BYTE_OFFSET', 'task_struct___wide.flags')).toMatchObject({
      patch: 'ldx',
      memSize: { old: 8, new: 4 },
    });
    expect(byName(run, 'FIELD_BYTE_OFFSET', 'task_struct___wide.tgid')).toMatchObject({
      outcome: 'poison',
      reason: 'memsz-adjust',
    });
    const tgid = byName(run, 'FIELD_BYTE_OFFSET', 'task_struct.tgid');
    expect(tgid.outcome).toBe('value');
    // the value is the one libbpf logged for that relocation
    const m = run.log?.match(/relo #\d+: patched insn #\d+ \(ALU\/ALU64\) imm 4 -> (\d+)/);
    expect(m && tgid.outcome === 'value' ? BigInt(m[1]!) : undefined).toBe(
      tgid.outcome === 'value' ? tgid.value : -1n,
    );
  });

  it('skips the relocations of programs that are not loaded (only option)', async () => {
    const run = await libbpfRelocate(probe, kernel!, { only: 'probe_bitfields' });
    const programs = new Set(run.relocations.filter((r) => r.outcome !== 'skipped').map((r) => r.program));
    // libbpf 1.1 relocates .text subprograms whatever the loaded programs
    expect([...programs].sort()).toEqual(['probe_bitfields', 'subprog_parent_pid']);
    for (const r of run.relocations.filter((x) => x.outcome === 'skipped')) {
      expect(r).toMatchObject({ reason: 'not-loaded' });
    }
  });

  it('reports which relocation failed when a failure aborts the whole object', async () => {
    const run = await libbpfRelocate(probe, ambiguousTarget);
    expect(run.object.relocated).toBe(false);
    const [first, ...rest] = run.relocations;
    expect(first).toMatchObject({ section: '.text', reloIndex: 0, outcome: 'error', errno: 22 });
    expect(first?.outcome === 'error' ? first.message : '').toContain('field offset ambiguity');
    expect(rest.every((r) => r.outcome === 'skipped' && r.reason === 'aborted')).toBe(true);
  });

  it('gives identical results with the full BTF and bpftool min_core_btf output (upstream claim)', async () => {
    const failures: string[] = [];
    let compared = 0;
    for (const k of kernels()) {
      for (const object of objects()) {
        const reduced = await bpftoolMinCoreBtf(k, [object]);
        if (!reduced.ok) {
          // corpus objects that bpftool rejects are not this test's concern; ours must work
          expect(object === probe || object === mmOnly, `${object}: ${reduced.message}`).toBe(false);
          continue;
        }
        const { differences: diffs } = await libbpfCompare(object, k, writeTempBtf(reduced.bytes));
        compared++;
        if (diffs.length > 0) failures.push(`${object} on ${k}:\n${formatRelocationDifferences(diffs)}`);
      }
    }
    // corpus edge objects against their synthetic targets (same base name)
    for (const object of corpusObjects()) {
      const target = join(corpus, 'targets', `${basename(object, '.bpf.o')}.o`);
      if (!existsSync(target)) continue;
      const reduced = await bpftoolMinCoreBtf(target, [object]);
      if (!reduced.ok) continue;
      const { differences: diffs } = await libbpfCompare(object, target, writeTempBtf(reduced.bytes));
      compared++;
      if (diffs.length > 0) failures.push(`${object} on ${target}:\n${formatRelocationDifferences(diffs)}`);
    }
    expect(compared).toBeGreaterThanOrEqual(2);
    expect(failures, failures.join('\n')).toEqual([]);
  });

  const bug6 = join(corpus, 'bug6_first_candidate.bpf.o');
  const bug6Target = join(corpus, 'targets/candidates.o');
  it.skipIf(!existsSync(bug6) || !existsSync(bug6Target))(
    "detects bpftool's known bug (docs/btfgen.md#fix-6-every-matching-candidate) in its own output",
    async () => {
      const path = writeTempBtf(await bpftoolMinCoreBtfOk(bug6Target, [bug6]));
      expect((await libbpfCompare(bug6, bug6Target, path)).differences).toEqual([
        expect.objectContaining({ program: 'reloc_b', full: 'value 4', reduced: 'poison (no-match)' }),
      ]);
      // loading only program reloc_b, as an application may, hides it
      expect((await libbpfCompare(bug6, bug6Target, path, { only: 'reloc_b' })).differences).toEqual([]);
    },
  );

  describe('detects a reduced BTF that relocates differently', () => {
    let full: LibbpfRun | undefined;
    let reducedBytes: Uint8Array = new Uint8Array();

    beforeAll(async () => {
      full = await libbpfRelocate(probe, kernel!);
      reducedBytes = await bpftoolMinCoreBtfOk(kernel!, [probe]);
    });

    async function diffWith(bytes: Uint8Array) {
      return compareRelocations(full!, await libbpfRelocate(probe, writeTempBtf(bytes)));
    }

    it('a member moved by 32 bits', async () => {
      const diffs = await diffWith(shiftMemberOffset(reducedBytes, 'task_struct', 'tgid', 32));
      expect(diffs.map((d) => d.kindName)).toEqual(['FIELD_BYTE_OFFSET']);
      expect(diffs[0]!.reduced).toBe(`value ${BigInt(diffs[0]!.full.split(' ')[1]!) + 4n}`);
    });

    it('an enumerator value changed', async () => {
      const diffs = await diffWith(shiftEnumValue(reducedBytes, 'pid_type', 'PIDTYPE_MAX', 1));
      expect(diffs).toEqual([
        expect.objectContaining({ kindName: 'ENUMVAL_VALUE', full: 'value 4', reduced: 'value 5' }),
      ]);
    });

    it('needed types missing (BTF minimized for another object)', async () => {
      const diffs = await diffWith(await bpftoolMinCoreBtfOk(kernel!, [mmOnly]));
      const kinds = new Set(diffs.map((d) => d.kindName));
      expect(kinds).toContain('FIELD_BYTE_OFFSET');
      expect(kinds).toContain('TYPE_ID_TARGET');
      expect(kinds).toContain('ENUMVAL_VALUE');
      expect(diffs.find((d) => d.kindName === 'TYPE_ID_TARGET')).toMatchObject({
        full: 'target struct task_struct',
        reduced: 'target none (0)',
      });
    });

    it('a relocation failure (whole-object abort) against a bad target', async () => {
      const diffs = compareRelocations(full!, await libbpfRelocate(probe, ambiguousTarget));
      expect(diffs).toHaveLength(full!.relocations.length);
      expect(diffs[0]).toMatchObject({ reduced: 'error errno 22' });
    });

    it('accepts BTFHub .btf.tar.xz inputs like raw BTFs', async () => {
      const dir = oracleTempDir();
      writeFileSync(join(dir, '6.1.0-test-amd64.btf'), reducedBytes);
      execFileSync('tar', ['-cJf', join(dir, 'k.btf.tar.xz'), '-C', dir, '6.1.0-test-amd64.btf']);
      const extracted = extractBtfTarXz(join(dir, 'k.btf.tar.xz'));
      expect(extracted).not.toBe(join(dir, '6.1.0-test-amd64.btf'));
      expect(new Uint8Array(readFileSync(extracted))).toEqual(reducedBytes);
      const viaArchive = await libbpfRelocate(probe, join(dir, 'k.btf.tar.xz'));
      expect(compareRelocations(full!, viaArchive)).toEqual([]);
      const bpftool = await bpftoolMinCoreBtf(join(dir, 'k.btf.tar.xz'), [probe]);
      expect(bpftool.ok && bpftool.bytes).toEqual(reducedBytes);
    });
  });
});
