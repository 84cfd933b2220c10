import { Elf, type ElfFile } from './elf/elf.js';

/** Bytes of one BPF instruction. */
const BPF_INSN_SIZE = 8;

/**
 * What libbpf knows of an object's sections when it places a CO-RE relocation, as flat arrays indexed by a section
 * number (the order of first appearance of each name): libbpf looks a `.BTF.ext` group's section up by name, the
 * first section of that name from index 1 on. Structured-clone friendly (a lane receives it).
 */
export interface ProgramMap {
  /** Each section name's number. */
  index: Map<string, number>;
  /** Each section's size in bytes. */
  sizes: Float64Array;
  /**
   * Where each section's programs start in {@link extents} (one entry more than sections: the last is the end):
   * one program per STT_FUNC symbol of the section when it is a non-empty executable SHT_PROGBITS section (libbpf
   * makes no program of any other), else none.
   */
  firsts: Uint32Array;
  /** The programs' byte extents in their section as `[start, end, start, end, ...]`, each section's sorted by start. */
  extents: Float64Array;
  /** Each section's instructions when it has programs (what libbpf patches), else undefined. */
  code: (Uint8Array | undefined)[];
}

/** The programs' `[start, end]` pairs of each section number with code, before they are sorted and laid flat. */
type ExtentPairs = (number[] | undefined)[];

/**
 * The {@link ProgramMap} of `elf`: its sections by name, with the programs libbpf would make of each and, for a
 * section with programs, its instructions (copied: a lane receives them without the rest of the file).
 */
export function programMap(elf: ElfFile): ProgramMap {
  const { sections } = elf;
  const index = new Map<string, number>();
  const numberOf = new Int32Array(sections.length).fill(-1);
  const sizes: number[] = [];
  const pairs: ExtentPairs = [];
  for (let i = 1; i < sections.length; i++) {
    const s = sections[i] as (typeof sections)[number];
    if (index.has(s.name)) continue;
    const n = sizes.length;
    index.set(s.name, n);
    sizes.push(s.size);
    pairs.push(undefined);
    if ((s.flags & Elf.SHF_EXECINSTR) !== 0 && s.type === Elf.SHT_PROGBITS && s.size > 0) numberOf[i] = n;
  }
  const symbols = elf.symbols({ names: false });
  for (let i = 0; i < symbols.length; i++) {
    const sym = symbols[i] as (typeof symbols)[number];
    const n =
      sym.type === Elf.STT_FUNC && sym.section < numberOf.length ? (numberOf[sym.section] as number) : -1;
    if (n < 0) continue;
    const list = pairs[n] ?? [];
    list.push(sym.value, sym.value + sym.size);
    pairs[n] = list;
  }
  return { index, sizes: Float64Array.from(sizes), ...layFlat(elf, [...index.keys()], pairs) };
}

/** The extents of `pairs` laid flat, each section's sorted by start, and the code of each section with programs. */
function layFlat(
  elf: ElfFile,
  names: string[],
  pairs: ExtentPairs,
): Pick<ProgramMap, 'firsts' | 'extents' | 'code'> {
  const firsts = new Uint32Array(names.length + 1);
  for (let n = 0; n < names.length; n++) firsts[n + 1] = (firsts[n] as number) + (pairs[n]?.length ?? 0);
  const extents = new Float64Array(firsts[names.length] as number);
  const code: (Uint8Array | undefined)[] = new Array(names.length).fill(undefined);
  for (let n = 0; n < names.length; n++) {
    const list = pairs[n];
    if (list === undefined) continue;
    setSortedPairs(list, extents, firsts[n] as number);
    const bytes = elf.sectionData(names[n] as string) as Uint8Array;
    // A view into a larger buffer (an object read whole) is copied: a lane receives the code alone.
    code[n] = bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  }
  return { firsts, extents, code };
}

/**
 * The `[start, end, ...]` pairs of `list` sorted by start, stably (a hostile object may hold any number of
 * programs: an n log n sort), written into `out` from `at`.
 */
function setSortedPairs(list: readonly number[], out: Float64Array, at: number): void {
  const starts = (k: number) => list[2 * k] as number;
  const order = Array.from({ length: list.length / 2 }, (_, k) => k).sort((a, b) => starts(a) - starts(b));
  for (let k = 0; k < order.length; k++) {
    const from = 2 * (order[k] as number);
    out[at + 2 * k] = list[from] as number;
    out[at + 2 * k + 1] = list[from + 1] as number;
  }
}

/** The instructions of `section`, the first section of that name, when it holds programs. */
export function sectionCode(programs: ProgramMap, section: string): Uint8Array | undefined {
  const n = programs.index.get(section);
  return n === undefined ? undefined : programs.code[n];
}

/**
 * Why libbpf never applies a CO-RE relocation of `section` at byte `insnOff`, or undefined when it does. libbpf
 * (1.x, `bpf_object__relocate_core`) maps the record's group to the first ELF section of its name, then looks for
 * the program holding the instruction (the last program starting at or before it, which must also end after it);
 * without one it skips the record silently, as it skips the records of a weak subprogram the linker dropped. A
 * group naming no section finds no program either.
 */
export function skippedReason(programs: ProgramMap, section: string, insnOff: number): string | undefined {
  const n = programs.index.get(section);
  const insn = insnOff / BPF_INSN_SIZE;
  if (n === undefined) return `the object has no section '${section}'`;
  const { extents } = programs;
  const first = programs.firsts[n] as number;
  const end = programs.firsts[n + 1] as number;
  if (first === end) return `section '${section}' holds no program`;
  const size = programs.sizes[n] as number;
  if (insnOff >= size) {
    return `instruction #${insn} is past the end of section '${section}' (${size / BPF_INSN_SIZE} instructions)`;
  }
  let holder = -1;
  for (let i = first; i < end && (extents[i] as number) <= insnOff; i += 2) holder = i;
  if (holder < 0 || insnOff >= (extents[holder + 1] as number)) {
    return `no program of section '${section}' holds instruction #${insn}`;
  }
  return undefined;
}
