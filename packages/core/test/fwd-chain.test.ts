/**
 * A kernel BTF in which task_struct.tgid's type is a chain of typedefs. A chain running forward (each typedef naming
 * a later id) through more than 32 types is one the kernel refuses to load (resolve depth 32: BPF_BTF_LOAD fails
 * with E2BIG, and it refuses such a vmlinux BTF at boot), so it is no real kernel's BTF: `explain`, `min-core-btf`
 * in both modes (robust compacts the chain away but still checks it), its batch form and `minimizeBtf` all refuse
 * it with the same FormatError naming the file and the chain's first type. libbpf's own parser accepts it (its
 * 32-step limit is only on sizing, which CO-RE field relocations reach after skipping typedefs), as does bpftool
 * 7.1; the oracle part shows the kernel's and libbpf's verdicts. A chain in id order (each typedef naming an
 * earlier one) is accepted by every mode here, and so is a forward chain of exactly 32. (The kernel refuses those
 * two as well, because task_struct, resolved before the chain, keeps itself and the whole chain on its resolve
 * stack: the check here judges chains from their first type and does not count the struct that names them.)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpfSyscallMissing, oracleSkipReason } from '../../../test/oracle/availability.js';
import { kernelBtfVerdicts, libbpfRelocate } from '../../../test/oracle/libbpf.js';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/format.js';
import { FormatError } from '../src/errors.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { fixture, referenceKernel, testdata } from './btf-helpers.js';
import { runCli } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const tmp = tempDirs();
const OBJECT = join(testdata, 'execsnoop.bpf.o');

/**
 * The raw kernel `raw` with `links` typedefs 'chain_t' appended and task_struct.tgid's type replaced by the chain,
 * which ends at tgid's old type: `forward`, each typedef names the next (later) one; else each names the one before.
 * Returns the new bytes and the id of the chain's type that tgid now names.
 */
function withTgidChain(
  raw: Uint8Array,
  links: number,
  forward: boolean,
): { bytes: Uint8Array; head: number } {
  const btf = Btf.parse(raw);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = btf.littleEndian;
  let task = 1;
  while (!(btf.kind(task) === Kind.STRUCT && btf.name(task) === 'task_struct')) task++;
  let member = 0;
  while (btf.memberName(task, member) !== 'tgid') member++;
  const memberType = btf.recordOffset(task) + 12 + member * 12 + 4;
  const word = (offset: number) => v.getUint32(offset, le);
  const [hdrLen, typeOff, typeLen, strOff, strLen] = [word(4), word(8), word(12), word(16), word(20)];
  const first = btf.typeCount;
  const name = strLen;
  const added = new DataView(new ArrayBuffer(links * 12));
  for (let k = 0; k < links; k++) {
    const next = forward
      ? k === links - 1
        ? btf.memberType(task, member)
        : first + k + 1
      : k === 0
        ? btf.memberType(task, member)
        : first + k - 1;
    added.setUint32(k * 12, name, le);
    added.setUint32(k * 12 + 4, (Kind.TYPEDEF << 24) >>> 0, le);
    added.setUint32(k * 12 + 8, next, le);
  }
  const typesEnd = hdrLen + typeOff + typeLen;
  const strings = raw.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  const out = Buffer.concat([
    raw.subarray(0, typesEnd),
    new Uint8Array(added.buffer),
    strings,
    Buffer.from('chain_t\0'),
  ]);
  const o = new DataView(out.buffer, out.byteOffset, out.byteLength);
  o.setUint32(12, typeLen + links * 12, le);
  o.setUint32(16, typeLen + links * 12, le);
  o.setUint32(20, strLen + 8, le);
  const head = forward ? first : first + links - 1;
  o.setUint32(memberType, head, le);
  return { bytes: new Uint8Array(out), head };
}

const raw = await readKernelBtf(referenceKernel);
/** A snapshot in BTFHub layout (what the batch form reads), holding the kernels below. */
const snapshot = tmp('btf-bundle-chain-');
const dir = join(snapshot, 'debian/12/x86_64');
mkdirSync(dir, { recursive: true });
const kernelFile = (name: string, links: number, forward: boolean) => {
  const { bytes, head } = withTgidChain(raw, links, forward);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes, head };
};
const forward100 = kernelFile('6.1.0-fwd100.btf', 100, true);
const backward100 = kernelFile('6.1.0-back100.btf', 100, false);
const forward32 = kernelFile('6.1.0-fwd32.btf', 32, true);
const forward33 = kernelFile('6.1.0-fwd33.btf', 33, true);

const refusal = (k: { path: string; head: number }) =>
  `${k.path} (.BTF, type id ${k.head}): [${k.head}] TYPEDEF 'chain_t': chain of typedefs, modifiers or pointers through more than 32 later types (the kernel's resolve depth)`;

describe('a forward typedef chain over the kernel resolve depth under a relocated member', () => {
  it('is refused by minimizeBtf in every mode, compacting or not, with the file and the chain head', () => {
    const deferred = Btf.parse(forward100.bytes, { file: forward100.path, typeChecks: 'deferred' });
    const objects = [fixture('execsnoop.bpf.o')];
    for (const opts of [
      { mode: 'robust' as const },
      { mode: 'robust' as const, compact: false },
      { mode: 'bpftool' as const },
    ]) {
      expect(() => minimizeBtf(deferred, objects, opts), JSON.stringify(opts)).toThrow(FormatError);
      expect(() => minimizeBtf(deferred, objects, opts)).toThrow(refusal(forward100));
    }
  });

  it('is refused by explain, min-core-btf in both modes and its batch form, with the same message', () => {
    const outDir = tmp('btf-bundle-chain-out-');
    const runs = [
      runCli(['explain', OBJECT, '--btf', forward100.path]),
      runCli(['min-core-btf', forward100.path, join(outDir, 'robust.btf'), OBJECT]),
      runCli(['min-core-btf', '--mode', 'bpftool', forward100.path, join(outDir, 'bpftool.btf'), OBJECT]),
    ];
    for (const r of runs) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(refusal(forward100));
    }
    expect(existsSync(join(outDir, 'robust.btf'))).toBe(false);
    const batch = runCli([
      'min-core-btf',
      '--inputdir',
      snapshot,
      '--outputdir',
      join(outDir, 'batch'),
      '--object',
      OBJECT,
    ]);
    expect(batch.status).toBe(1);
    expect(batch.stderr).toContain(
      `type id ${forward100.head}): [${forward100.head}] TYPEDEF 'chain_t': chain`,
    );
    expect(batch.stderr).toContain(
      `type id ${forward33.head}): [${forward33.head}] TYPEDEF 'chain_t': chain`,
    );
    expect(existsSync(join(outDir, 'batch/debian/12/x86_64/6.1.0-back100.btf'))).toBe(true);
    expect(existsSync(join(outDir, 'batch/debian/12/x86_64/6.1.0-fwd100.btf'))).toBe(false);
  });

  it('is accepted everywhere in id order, and forward up to 32 links; refused from 33', () => {
    const objects = [fixture('execsnoop.bpf.o')];
    for (const k of [backward100, forward32]) {
      expect(runCli(['explain', OBJECT, '--btf', k.path]).status).toBe(0);
      const btf = Btf.parse(k.bytes, { file: k.path, typeChecks: 'deferred' });
      for (const mode of ['robust', 'bpftool'] as const)
        expect(() => minimizeBtf(btf, objects, { mode })).not.toThrow();
    }
    const deep = Btf.parse(forward33.bytes, { file: forward33.path, typeChecks: 'deferred' });
    for (const mode of ['robust', 'bpftool'] as const)
      expect(() => minimizeBtf(deep, objects, { mode })).toThrow(refusal(forward33));
    expect(runCli(['explain', OBJECT, '--btf', forward33.path]).stderr).toContain(refusal(forward33));
    // the robust output of the accepted chain in id order has no typedef left of it (compaction)
    const out = Btf.parse(minimizeBtf(Btf.parse(backward100.bytes), objects).btf);
    expect(Array.from({ length: out.typeCount }, (_, id) => out.name(id))).not.toContain('chain_t');
    expect(readFileSync(backward100.path).length).toBe(raw.length + 100 * 12 + 8);
  });
});

const kernelSkip = oracleSkipReason(bpfSyscallMissing());

describe.skipIf(kernelSkip !== undefined)(
  `the kernel and libbpf${kernelSkip ? ` (skipped: ${kernelSkip})` : ''}`,
  () => {
    it('the kernel refuses what we refuse (E2BIG); libbpf relocates against every one of them', async () => {
      expect(kernelBtfVerdicts([forward100.path, forward33.path])).toEqual(['7', '7']);
      for (const k of [forward100, forward33, forward32, backward100])
        expect((await libbpfRelocate(OBJECT, k.path)).object.relocated, k.path).toBe(true);
    });
  },
);
