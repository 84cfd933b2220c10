import { Elf, type ElfFile } from './elf/elf.js';

/** Bytes of one BPF instruction. */
const BPF_INSN_SIZE = 8;

/** What libbpf knows of one ELF section when it places a CO-RE relocation: its size and the programs in it. */
export interface SectionPrograms {
  /** The section's size in bytes. */
  size: number;
  /**
   * The programs' byte extents in the section as `[start, end, start, end, ...]`, sorted by start: one per STT_FUNC
   * symbol of the section when it is a non-empty executable SHT_PROGBITS section (libbpf makes no program of any
   * other), else none.
   */
  extents: number[];
  /** The section's instructions, when it has programs (what libbpf patches). */
  code?: Uint8Array;
}

/**
 * The sections of an object by name, as libbpf looks them up when it matches a `.BTF.ext` group to its section:
 * by name, the first section of that name from index 1 on. Structured-clone friendly (a lane receives it).
 */
export type ProgramMap = Map<string, SectionPrograms>;

/**
 * The {@link ProgramMap} of `elf`: its sections by name, with the programs libbpf would make of each and, for a
 * section with programs, its instructions (copied: a lane receives them without the rest of the file).
 */
export function programMap(elf: ElfFile): ProgramMap {
  const map: ProgramMap = new Map();
  const code = new Map<number, SectionPrograms>();
  for (const s of elf.sections) {
    if (s.index === 0 || map.has(s.name)) continue;
    const entry: SectionPrograms = { size: s.size, extents: [] };
    map.set(s.name, entry);
    const executable = (s.flags & Elf.SHF_EXECINSTR) !== 0 && s.type === Elf.SHT_PROGBITS && s.size > 0;
    if (executable) code.set(s.index, entry);
  }
  const starts = new Map<SectionPrograms, [number, number][]>();
  for (const sym of elf.symbols({ names: false })) {
    const entry = sym.type === Elf.STT_FUNC ? code.get(sym.section) : undefined;
    if (!entry) continue;
    const list = starts.get(entry) ?? [];
    list.push([sym.value, sym.value + sym.size]);
    starts.set(entry, list);
  }
  for (const [entry, list] of starts) entry.extents = list.sort((a, b) => a[0] - b[0]).flat();
  for (const [name, entry] of map) {
    if (entry.extents.length === 0) continue;
    const code = elf.sectionData(name) as Uint8Array;
    // A view into a larger buffer (an object read whole) is copied: a lane receives the code alone.
    entry.code = code.byteLength === code.buffer.byteLength ? code : code.slice();
  }
  return map;
}

/**
 * Why libbpf never applies a CO-RE relocation of `section` at byte `insnOff`, or undefined when it does. libbpf
 * (1.x, `bpf_object__relocate_core`) maps the record's group to the first ELF section of its name, then looks for
 * the program holding the instruction (the last program starting at or before it, which must also end after it);
 * without one it skips the record silently, as it skips the records of a weak subprogram the linker dropped. A
 * group naming no section finds no program either.
 */
export function skippedReason(programs: ProgramMap, section: string, insnOff: number): string | undefined {
  const entry = programs.get(section);
  const insn = insnOff / BPF_INSN_SIZE;
  if (!entry) return `the object has no section '${section}'`;
  if (entry.extents.length === 0) return `section '${section}' holds no program`;
  if (insnOff >= entry.size) {
    return `instruction #${insn} is past the end of section '${section}' (${entry.size / BPF_INSN_SIZE} instructions)`;
  }
  const { extents } = entry;
  let holder = -1;
  for (let i = 0; i < extents.length && (extents[i] as number) <= insnOff; i += 2) holder = i;
  if (holder < 0 || insnOff >= (extents[holder + 1] as number)) {
    return `no program of section '${section}' holds instruction #${insn}`;
  }
  return undefined;
}
