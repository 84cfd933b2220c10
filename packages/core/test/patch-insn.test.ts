/**
 * CO-RE records whose instruction libbpf cannot patch: `bpf_core_patch_insn` (libbpf 1.1 and 1.4.6) fails the load
 * with EINVAL when the instruction is not one it patches (an ALU instruction with an immediate, a load or store, a
 * well-formed 64-bit immediate load) or, where it checks, does not hold the value the object's own types give. A
 * poisoned result replaces any instruction. Objects: copies of execsnoop.bpf.o with a record moved onto another
 * instruction (test/oracle/ext-patch.ts); test/core/patch-insn-oracle.test.ts shows libbpf failing them the same way.
 * A load or store is checked further: its new offset must fit (ERANGE), a width libbpf cannot adjust poisons it,
 * and a field that changes size needs a load of the whole field and a new size a load can have (EINVAL). Objects:
 * test/oracle/testdata/ldst-*.bpf.o against ldst-target.bpf.o; test/core/ldst-oracle.test.ts shows libbpf agreeing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withRecordField } from '../../../test/oracle/ext-patch.js';
import { Btf } from '../src/btf/btf.js';
import { explainObject } from '../src/cli/explain.js';
import { CoreRelocationError } from '../src/errors.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { type BpfObject, parseBpfObject } from '../src/object.js';
import { emptyResult } from '../src/relo/calc.js';
import { type InsnPatch, patchVerdict, readInsnPatch } from '../src/relo/patch.js';
import { CoreResolver } from '../src/relo/resolver.js';
import { relocationVerdicts, summarizeRelocations } from '../src/report/relocations.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { referenceKernel, repoRoot, testdata } from './btf-helpers.js';

const execsnoop = new Uint8Array(readFileSync(join(testdata, 'execsnoop.bpf.o')));
/** Record 0 (task_struct.tgid, an ALU add of 2420 at insn #10) moved to insn #0, `r7 = r1` (register source). */
const onRegisterMove = withRecordField(execsnoop, 0, 0, 'insnOff', 0);
/** Record 0 moved onto record 1's instruction, which holds real_parent's offset 2432, not tgid's 2420. */
const onOtherValue = withRecordField(execsnoop, 0, 0, 'insnOff', 19 * 8);

describe('records libbpf cannot patch', () => {
  it('fail with EINVAL at their place, in the resolver and in both minimizer modes', async () => {
    const kernel = Btf.parse(await readKernelBtf(referenceKernel), { file: 'k.btf' });
    for (const [bytes, why] of [
      [onRegisterMove, 'failed to patch insn #0: ALU instruction 0xbf has a register source'],
      [onOtherValue, 'failed to patch insn #19: it holds 2432, not the expected 2420'],
    ] as const) {
      const object = parseBpfObject(bytes, 'x.bpf.o');
      const [first, ...rest] = new CoreResolver(kernel).resolveObject(object);
      expect(first?.error?.code).toBe('EINVAL');
      expect(first?.error?.message).toBe(
        `x.bpf.o (tracepoint/syscalls/sys_enter_execve, type id 21, relocation #0): ${why}`,
      );
      expect(rest.every((o) => o.error === undefined)).toBe(true);
      for (const mode of ['robust', 'bpftool'] as const) {
        expect(() => minimizeBtf(kernel, [object], { mode })).toThrow(CoreRelocationError);
      }
    }
    // the real object patches every instruction
    const intact = new CoreResolver(kernel).resolveObject(parseBpfObject(execsnoop, 'x.bpf.o'));
    expect(intact.filter((o) => o.error)).toEqual([]);
  });

  it('read as libbpf reads them: immediates and offsets widened with their sign, 64-bit loads whole', () => {
    const insn = (...bytes: number[]) => new Uint8Array(bytes);
    // r1 += -8 (ALU64 ADD K), *(u32 *)(r1 - 2) = r2 (STX), r1 = 0x100000002 ll (LDIMM64), exit
    expect(readInsnPatch(insn(0x07, 0x01, 0, 0, 0xf8, 0xff, 0xff, 0xff), 0, true)).toEqual({
      kind: 'alu',
      value: 2n ** 64n - 8n,
    });
    expect(readInsnPatch(insn(0x63, 0x21, 0xfe, 0xff, 0, 0, 0, 0), 0, true)).toEqual({
      kind: 'ldx',
      value: 2n ** 64n - 2n,
      width: 4,
    });
    const ldimm64 = insn(0x18, 0x01, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
    expect(readInsnPatch(ldimm64, 0, true)).toEqual({ kind: 'ldimm64', value: 0x100000002n });
    const withSource = ldimm64.slice();
    withSource[1] = 0x11; // src_reg 1: a map or BTF id load, not a plain immediate
    expect(readInsnPatch(withSource, 0, true)).toMatchObject({ kind: 'unpatchable' });
    expect(readInsnPatch(ldimm64, 8, true)).toMatchObject({ kind: 'unpatchable' }); // second half, past the end
    expect(readInsnPatch(insn(0x95, 0, 0, 0, 0, 0, 0, 0), 0, true)).toEqual({
      kind: 'unpatchable',
      why: 'instruction 0x95 is not one a CO-RE relocation patches',
    });
    // big-endian: the register nibbles swap
    const be = insn(0x18, 0x10, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1);
    expect(readInsnPatch(be, 0, false)).toEqual({ kind: 'ldimm64', value: 0x100000002n });
  });

  it('a poisoned result replaces any instruction; an unchecked value is not compared', () => {
    const exit = { kind: 'unpatchable', why: 'x' } as const;
    expect(patchVerdict(exit, { ...emptyResult(), poison: true }, 3)).toBeUndefined();
    expect(patchVerdict(exit, emptyResult(), 3)).toMatchObject({ message: 'failed to patch insn #3: x' });
    const alu = { kind: 'alu', value: 5n } as const;
    expect(patchVerdict(alu, { ...emptyResult(), origValue: 6n, validate: false }, 3)).toBeUndefined();
    expect(patchVerdict(alu, { ...emptyResult(), origValue: -1n }, 3)).toMatchObject({
      message: expect.stringMatching(/holds 5, not the expected -1/),
    });
    expect(
      patchVerdict({ kind: 'alu', value: 2n ** 64n - 1n }, { ...emptyResult(), origValue: -1n }, 3),
    ).toBeUndefined();
  });
});

const ldst = (name: string) => join(repoRoot, 'test/oracle/testdata', `${name}.bpf.o`);
const ldstObject = (name: string) =>
  parseBpfObject(new Uint8Array(readFileSync(ldst(name))), `${name}.bpf.o`);
const ldstTarget = async () => Btf.parse(await readKernelBtf(ldst('ldst-target')), { file: 'ldst-target' });

describe("libbpf's load/store checks", () => {
  /** A load of `width` bytes at offset `value` (LDX), as readInsnPatch reads it. */
  const load = (width: 1 | 2 | 4 | 8, value = 0n): InsnPatch => ({ kind: 'ldx', value, width });
  /** A BYTE_OFFSET result moving a field from offset 0 to `newValue`, of `origSize` → `newSize` bytes. */
  const moved = (newValue: bigint, origSize: number, newSize: number, failMemszAdjust = false) => ({
    ...emptyResult(),
    newValue,
    origSize,
    newSize,
    failMemszAdjust,
  });

  it('read the bytes a load or store accesses from its opcode (B, H, W, DW; LDX, ST and STX)', () => {
    const width = (op: number) =>
      (readInsnPatch(new Uint8Array([op, 0x21, 0, 0, 0, 0, 0, 0]), 0, true) as { width: number }).width;
    expect([0x71, 0x69, 0x61, 0x79].map(width)).toEqual([1, 2, 4, 8]); // LDX MEM B, H, W, DW
    expect([0x72, 0x6a, 0x62, 0x7a].map(width)).toEqual([1, 2, 4, 8]); // ST MEM
    expect([0x73, 0x6b, 0x63, 0x7b].map(width)).toEqual([1, 2, 4, 8]); // STX MEM
  });

  it('an offset above 32,767 fails with ERANGE, before the width is judged; an ALU or 64-bit load takes it', () => {
    expect(patchVerdict(load(4), moved(32_767n, 4, 4), 7)).toBeUndefined();
    const tooFar = patchVerdict(load(4), moved(32_768n, 4, 4), 7);
    expect(tooFar).toBeInstanceOf(CoreRelocationError);
    expect(tooFar).toMatchObject({
      code: 'ERANGE',
      message: "failed to patch insn #7: the new offset 32768 exceeds a load/store offset's 32767",
    });
    expect(patchVerdict(load(4), moved(40_000n, 4, 8, true), 7)).toMatchObject({ code: 'ERANGE' });
    expect(patchVerdict({ kind: 'alu', value: 0n }, moved(40_000n, 4, 8, true), 7)).toBeUndefined();
    expect(patchVerdict({ kind: 'ldimm64', value: 0n }, moved(40_000n, 4, 8, true), 7)).toBeUndefined();
    // the value check comes first: a load that does not hold the object's offset fails with EINVAL
    expect(patchVerdict(load(4, 2n), moved(40_000n, 4, 4), 7)).toMatchObject({
      code: 'EINVAL',
    });
  });

  it('a width libbpf cannot adjust poisons a load or store (whatever its width), not an ALU instruction', () => {
    expect(patchVerdict(load(4), moved(8n, 4, 8, true), 4)).toEqual({
      poison:
        'the field changes from 4 to 8 bytes and is not a pointer or an unsigned integer on both sides: libbpf cannot adjust the width of insn #4, it poisons it',
    });
    expect(patchVerdict(load(1), moved(8n, 4, 8, true), 4)).toHaveProperty('poison');
    expect(patchVerdict({ kind: 'alu', value: 0n }, moved(8n, 4, 8, true), 4)).toBeUndefined();
  });

  it('a field that changes size needs a load of the whole field (EINVAL) and a new size of 1, 2, 4 or 8 (EINVAL)', () => {
    expect(patchVerdict(load(4), moved(8n, 4, 8), 2)).toBeUndefined(); // libbpf widens it
    expect(patchVerdict(load(1), moved(8n, 4, 4), 2)).toBeUndefined(); // no size change: the width is not looked at
    expect(patchVerdict(load(1), moved(8n, 4, 8), 2)).toMatchObject({
      code: 'EINVAL',
      message:
        'failed to patch insn #2: it accesses 1 bytes, not the 4 of the field whose size changes (to 8)',
    });
    for (const newSize of [3, 16]) {
      expect(patchVerdict(load(8), moved(0n, 8, newSize), 2)).toMatchObject({
        code: 'EINVAL',
        message: `failed to patch insn #2: the field's new size ${newSize} is no load/store width (1, 2, 4 or 8 bytes)`,
      });
    }
  });

  it('the resolver gives each record of the ldst objects what libbpf 1.1 and 1.4.6 give it', async () => {
    const resolver = new CoreResolver(await ldstTarget());
    const said = (name: string) =>
      resolver.resolveObject(ldstObject(name)).map((o) => {
        if (o.error) return `${o.error.code}: ${o.error.detail}`;
        if (o.widthPoison) return 'width poison';
        return `${o.result?.newValue} (${o.result?.origSize} -> ${o.result?.newSize})`;
      });
    expect(said('ldst-adjust')).toEqual([
      '0 (4 -> 8)', // sval's offset in an ALU instruction: patched, the width concerns loads and stores only
      '0 (0 -> 0)', // TYPE_MATCHES: the type does not match
      'width poison', // int sval read as a long
      '8 (4 -> 8)', // unsigned uval: widened
      'width poison', // the whole arr, 4 then 8 bytes: an array's whole size (libbpf 1.1, 1.4.6)
      '18 (1 -> 1)', // one element of arr
      '0 (4 -> 8)', // sval's offset again, in an ALU instruction of another program
    ]);
    expect(said('ldst-range')).toEqual([
      "ERANGE: failed to patch insn #0: the new offset 40000 exceeds a load/store offset's 32767",
    ]);
    expect(said('ldst-width')[0]).toMatch(/^EINVAL: failed to patch insn #0: it accesses 1 bytes, not the 4/);
    expect(said('ldst-newsize')[0]).toMatch(/^EINVAL: failed to patch insn #0: the field's new size 16/);
  });

  it("each repeat of a record checks its own instruction, reused or not: a repeat's load poisoned, its ALU not", async () => {
    const resolver = new CoreResolver(await ldstTarget());
    const object = ldstObject('ldst-adjust');
    const relos = object.ext.coreRelos;
    // sval's load, then its two ALU instructions: the load's result is the one the others reuse.
    const loadFirst = { ...object, ext: { ...object.ext, coreRelos: [2, 0, 6].map((i) => relos[i]!) } };
    for (const [obj, poisoned] of [
      [object, [false, true, false]],
      [loadFirst, [true, false, false]],
    ] as const) {
      const reused = resolver.resolveObject(obj, { reuseDuplicates: true, unpruned: true });
      const resolved = resolver.resolveObject(obj, { unpruned: true });
      const sval = reused.filter((o) => o.relo.accessStr === '0:0' && o.relo.kind === relos[0]!.kind);
      expect(sval.map((o) => o.widthPoison !== undefined)).toEqual(poisoned);
      expect(sval[1]?.result).toBe(sval[0]?.result); // reused, not resolved again
      expect(reused.map((o) => [o.widthPoison, o.result, o.error?.message])).toEqual(
        resolved.map((o) => [o.widthPoison, o.result, o.error?.message]),
      );
    }
  });

  it('a width poison is counted as poisoned and never as guarded; explain says why', async () => {
    const outcomes = new CoreResolver(await ldstTarget()).resolveObject(ldstObject('ldst-adjust'));
    expect(relocationVerdicts(outcomes)).toEqual([
      'relocated',
      'relocated', // a TYPE_MATCHES check that answered 0 on the same type: it would guard a missing field
      'poisoned',
      'relocated',
      'poisoned',
      'relocated',
      'relocated',
    ]);
    expect(summarizeRelocations('x', outcomes)).toMatchObject({ poisoned: 2, guarded: 0, absent: 1 });
    const explained = explainObject(ldstObject('ldst-adjust') as BpfObject, outcomes);
    expect(explained[2]).toMatchObject({ outcome: 'poisoned', insn: 4, reason: outcomes[2]?.widthPoison });
    expect(explained[2]?.value).toBeUndefined();
  });

  it('both minimizer modes refuse the objects libbpf fails on a load or store, and reduce the poisoned one', async () => {
    const kernel = await ldstTarget();
    for (const mode of ['robust', 'bpftool'] as const) {
      for (const name of ['ldst-range', 'ldst-width', 'ldst-newsize'])
        expect(() => minimizeBtf(kernel, [ldstObject(name)], { mode }), `${mode} ${name}`).toThrow(
          CoreRelocationError,
        );
      const { objects } = minimizeBtf(kernel, [ldstObject('ldst-adjust')], { mode });
      expect(objects[0]).toMatchObject({ poisoned: 2, guarded: 0, errors: 0 });
    }
  });
});
