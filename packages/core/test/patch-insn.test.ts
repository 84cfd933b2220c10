/**
 * CO-RE records whose instruction libbpf cannot patch: `bpf_core_patch_insn` (libbpf 1.1 and 1.4.6) fails the load
 * with EINVAL when the instruction is not one it patches (an ALU instruction with an immediate, a load or store, a
 * well-formed 64-bit immediate load) or, where it checks, does not hold the value the object's own types give. A
 * poisoned result replaces any instruction. Objects: copies of execsnoop.bpf.o with a record moved onto another
 * instruction (test/oracle/ext-patch.ts); test/core/patch-insn-oracle.test.ts shows libbpf failing them the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withRecordField } from '../../../test/oracle/ext-patch.js';
import { Btf } from '../src/btf/btf.js';
import { CoreRelocationError } from '../src/errors.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { parseBpfObject } from '../src/object.js';
import { emptyResult } from '../src/relo/calc.js';
import { patchFailure, readInsnPatch } from '../src/relo/patch.js';
import { CoreResolver } from '../src/relo/resolver.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { referenceKernel, testdata } from './btf-helpers.js';

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
    expect(patchFailure(exit, { ...emptyResult(), poison: true }, 3)).toBeUndefined();
    expect(patchFailure(exit, emptyResult(), 3)?.message).toBe('failed to patch insn #3: x');
    const alu = { kind: 'alu', value: 5n } as const;
    expect(patchFailure(alu, { ...emptyResult(), origValue: 6n, validate: false }, 3)).toBeUndefined();
    expect(patchFailure(alu, { ...emptyResult(), origValue: -1n }, 3)?.message).toMatch(
      /holds 5, not the expected -1/,
    );
    expect(
      patchFailure({ kind: 'alu', value: 2n ** 64n - 1n }, { ...emptyResult(), origValue: -1n }, 3),
    ).toBeUndefined();
  });
});
