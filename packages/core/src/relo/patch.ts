import { CoreRelocationError } from '../errors.js';
import type { ReloResult } from './calc.js';

/**
 * The instruction of a CO-RE record as libbpf's `bpf_core_patch_insn` sees it before patching it: the kind of
 * instruction and the value it holds where the relocated value goes (signed values widened to 64 bits, as libbpf
 * compares them), for a load or store (`ldx`: LDX, ST or STX) also the bytes it accesses, or why libbpf cannot
 * patch it at all.
 */
export type InsnPatch =
  | { kind: 'alu' | 'ldimm64'; value: bigint }
  | { kind: 'ldx'; value: bigint; width: MemWidth }
  | { kind: 'unpatchable'; why: string };

/** The bytes a load or store accesses (its opcode's size field). */
export type MemWidth = 1 | 2 | 4 | 8;

/** {@link MemWidth} by the size field of an opcode (bits 3–4: W, H, B, DW). */
const WIDTHS: readonly MemWidth[] = [4, 2, 1, 8];

/** The largest offset a load or store holds (its `off` is a signed 16-bit field; libbpf's SHRT_MAX). */
const MAX_MEM_OFFSET = 32_767n;

/**
 * A load or store libbpf poisons instead of patching (docs/core-relocations.md#load-and-store-width-adjustment):
 * its field changes size in a way no width change can follow. Not an error: the verifier rejects the program only
 * if it reaches the instruction.
 */
export interface WidthPoison {
  /** Why, in one line. */
  poison: string;
}

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
  if (cls >= BPF_LDX && cls <= BPF_STX) {
    return {
      kind: 'ldx',
      value: s64(view.getInt16(at + 2, littleEndian)),
      width: WIDTHS[(op >> 3) & 3] as MemWidth,
    };
  }
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
 * What libbpf's `bpf_core_patch_insn` does to instruction #`insn` with `result`: undefined when it patches it (or
 * poisons it for a poisoned result, which replaces any instruction), the error it fails the load with, or a
 * {@link WidthPoison} for a load or store it poisons. The instruction must be one libbpf patches and hold the value
 * the object's own types give (when libbpf checks it); a load or store is then checked by {@link memAccessCheck}.
 */
export function patchVerdict(
  patch: InsnPatch,
  result: ReloResult,
  insn: number,
): CoreRelocationError | WidthPoison | undefined {
  if (result.poison) return undefined;
  if (patch.kind === 'unpatchable')
    return new CoreRelocationError(`failed to patch insn #${insn}: ${patch.why}`);
  if (result.validate && patch.value !== BigInt.asUintN(64, result.origValue)) {
    return new CoreRelocationError(
      `failed to patch insn #${insn}: it holds ${patch.value}, not the expected ${result.origValue}`,
    );
  }
  return patch.kind === 'ldx' ? memAccessCheck(patch.width, result, insn) : undefined;
}

/**
 * libbpf's checks of a load or store of `width` bytes whose offset it patches with `result`, in its order: the new
 * offset must fit the instruction (ERANGE); a width change libbpf judged unsafe poisons it; a field that changes
 * size needs an access of the whole local field and a new size a load or store can have (EINVAL).
 */
function memAccessCheck(
  width: MemWidth,
  result: ReloResult,
  insn: number,
): CoreRelocationError | WidthPoison | undefined {
  const { newValue, origSize, newSize } = result;
  if (newValue > MAX_MEM_OFFSET) {
    return new CoreRelocationError(
      `failed to patch insn #${insn}: the new offset ${newValue} exceeds a load/store offset's ${MAX_MEM_OFFSET}`,
      {},
      { code: 'ERANGE' },
    );
  }
  if (result.failMemszAdjust) {
    return {
      poison: `the field changes from ${origSize} to ${newSize} bytes and is not a pointer or an unsigned integer on both sides: libbpf cannot adjust the width of insn #${insn}, it poisons it`,
    };
  }
  if (origSize === newSize) return undefined;
  if (width !== origSize) {
    return new CoreRelocationError(
      `failed to patch insn #${insn}: it accesses ${width} bytes, not the ${origSize} of the field whose size changes (to ${newSize})`,
    );
  }
  if (!WIDTHS.includes(newSize as MemWidth)) {
    return new CoreRelocationError(
      `failed to patch insn #${insn}: the field's new size ${newSize} is no load/store width (1, 2, 4 or 8 bytes)`,
    );
  }
  return undefined;
}
