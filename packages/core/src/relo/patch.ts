import { CoreRelocationError } from '../errors.js';
import type { ReloResult } from './calc.js';

/**
 * The instruction of a CO-RE record as libbpf's `bpf_core_patch_insn` sees it before patching it: the kind of
 * instruction and the value it holds where the relocated value goes (signed values widened to 64 bits, as libbpf
 * compares them), or why libbpf cannot patch it at all.
 */
export type InsnPatch =
  | { kind: 'alu' | 'ldx' | 'ldimm64'; value: bigint }
  | { kind: 'unpatchable'; why: string };

const BPF_LD = 0;
const BPF_ALU = 4;
const BPF_ALU64 = 7;
const BPF_LDX = 1;
const BPF_STX = 3;
const LDIMM64 = 0x18; // BPF_LD | BPF_IMM | BPF_DW
const BPF_X = 0x08;

/** The {@link InsnPatch} of the instruction at byte `at` of `code` (and the next one, for a 64-bit immediate). */
export function readInsnPatch(code: Uint8Array, at: number, littleEndian: boolean): InsnPatch {
  const view = new DataView(code.buffer, code.byteOffset, code.byteLength);
  if (at + 8 > code.length)
    return { kind: 'unpatchable', why: 'the instruction lies past the end of its section' };
  const op = code[at] as number;
  const cls = op & 7;
  const s64 = (v: number) => BigInt.asUintN(64, BigInt(v));
  if (cls === BPF_ALU || cls === BPF_ALU64) {
    if (op & BPF_X)
      return { kind: 'unpatchable', why: `ALU instruction 0x${op.toString(16)} has a register source` };
    return { kind: 'alu', value: s64(view.getInt32(at + 4, littleEndian)) };
  }
  if (cls >= BPF_LDX && cls <= BPF_STX)
    return { kind: 'ldx', value: s64(view.getInt16(at + 2, littleEndian)) };
  if (cls === BPF_LD) {
    const regs = code[at + 1] as number;
    const srcReg = littleEndian ? regs >> 4 : regs & 0xf;
    const next = at + 8;
    const wellFormed =
      op === LDIMM64 &&
      srcReg === 0 &&
      view.getInt16(at + 2, littleEndian) === 0 &&
      next + 8 <= code.length &&
      code[next] === 0 &&
      code[next + 1] === 0 &&
      view.getInt16(next + 2, littleEndian) === 0;
    if (!wellFormed) return { kind: 'unpatchable', why: 'LDIMM64 instruction has an unexpected form' };
    const low = BigInt(view.getUint32(at + 4, littleEndian));
    const high = BigInt(view.getUint32(next + 4, littleEndian));
    return { kind: 'ldimm64', value: (high << 32n) | low };
  }
  return {
    kind: 'unpatchable',
    why: `instruction 0x${op.toString(16)} is not one a CO-RE relocation patches`,
  };
}

/**
 * Why libbpf fails to patch instruction #`insn` with `result` (EINVAL), or undefined when it patches it: a poisoned
 * result replaces any instruction; otherwise the instruction must be one libbpf patches and hold the value the
 * object's own types give (when libbpf checks it).
 */
export function patchFailure(
  patch: InsnPatch,
  result: ReloResult,
  insn: number,
): CoreRelocationError | undefined {
  if (result.poison) return undefined;
  if (patch.kind === 'unpatchable')
    return new CoreRelocationError(`failed to patch insn #${insn}: ${patch.why}`);
  if (result.validate && patch.value !== BigInt.asUintN(64, result.origValue)) {
    return new CoreRelocationError(
      `failed to patch insn #${insn}: it holds ${patch.value}, not the expected ${result.origValue}`,
    );
  }
  return undefined;
}
