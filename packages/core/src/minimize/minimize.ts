import type { Btf } from '../btf/btf.js';
import type { BpfObject } from '../object.js';

/**
 * `robust` (default): bpftool's algorithm with the fixes of spec §4.12 #5-#10. `bpftool`: byte-identical to
 * `bpftool gen min_core_btf` (v7.x), bugs included.
 */
export type MinimizeMode = 'robust' | 'bpftool';

/** Options of {@link minimizeBtf}. */
export interface MinimizeOptions {
  /** Default 'robust'. */
  mode?: MinimizeMode;
  /** Byte order of the output; default little-endian (what bpftool writes on x86_64/arm64). */
  littleEndian?: boolean;
}

/** How the CO-RE relocations of one object fared against one kernel. */
export interface ObjectRelocationSummary {
  /** Object file name. */
  object: string;
  /** CO-RE relocation records in the object. */
  total: number;
  /** Relocations that found their target (or are TYPE_ID_LOCAL). */
  resolved: number;
  /** Relocations with no target: poisoned instruction, or 0 for *_EXISTS / type kinds. */
  poisoned: number;
  /** Of `poisoned`, those covered by a field/type/enum-exists check of the same access in the same section. */
  guarded: number;
}

/** Output of {@link minimizeBtf}. */
export interface MinimizeResult {
  /** The reduced raw BTF. */
  btf: Uint8Array;
  /** Per object, in input order. */
  objects: ObjectRelocationSummary[];
}

/**
 * Reduce `target` (a full kernel BTF) to what the CO-RE relocations of `objects` need (spec §4).
 * Throws CoreRelocationError when a relocation is one libbpf would reject (the kernel cannot be covered), and
 * MinimizeError when the output cannot be built.
 */
export function minimizeBtf(_target: Btf, _objects: BpfObject[], _opts: MinimizeOptions = {}): MinimizeResult {
  throw new Error('not implemented yet');
}
