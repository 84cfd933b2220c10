/**
 * The programs table of an object (`object-programs.ts`): sections by name, the first of a name; programs from
 * STT_FUNC symbols of executable sections only, in order of their start whatever the symbols' order; a hostile
 * number of symbols sorted in n log n.
 */
import { describe, expect, it } from 'vitest';
import { Elf, type ElfFile, type ElfSection, type ElfSymbol } from '../src/elf/elf.js';
import { programMap, sectionCode, skippedReason } from '../src/object-programs.js';

const EXEC = { type: Elf.SHT_PROGBITS, flags: Elf.SHF_EXECINSTR };

/** An ELF with `sections` (after the null section) and `symbols`; a section's data is its size in bytes of its index. */
function elfWith(
  sections: { name: string; type: number; flags: number; size: number }[],
  symbols: ElfSymbol[],
): ElfFile {
  const all: ElfSection[] = [{ name: '', type: 0, flags: 0, size: 0 }, ...sections].map((s, index) => ({
    ...s,
    index,
    offset: 0,
    link: 0,
  }));
  const byName = (name: string) => all.find((s, i) => i > 0 && s.name === name);
  return {
    bits: 64,
    littleEndian: true,
    type: Elf.ET_REL,
    machine: Elf.EM_BPF,
    sections: all,
    section: byName,
    sectionData: (name) => {
      const s = byName(name);
      return s && new Uint8Array(s.size).fill(s.index);
    },
    symbols: () => symbols,
  };
}

const func = (section: number, value: number, size: number): ElfSymbol => ({
  name: '',
  type: Elf.STT_FUNC,
  section,
  value,
  size,
});

describe('programMap', () => {
  it('places programs by start, in the first section of a name, executable sections only', () => {
    const elf = elfWith(
      [
        { name: 'kprobe/a', ...EXEC, size: 64 },
        { name: 'data', type: Elf.SHT_PROGBITS, flags: 0, size: 32 },
        { name: 'kprobe/a', ...EXEC, size: 64 },
      ],
      [func(1, 32, 16), func(1, 0, 16), func(2, 0, 8), func(3, 0, 64), { ...func(1, 48, 16), type: 1 }],
    );
    const programs = programMap(elf);
    expect([...programs.index]).toEqual([
      ['kprobe/a', 0],
      ['data', 1],
    ]);
    expect([...programs.extents]).toEqual([0, 16, 32, 48]);
    expect(sectionCode(programs, 'kprobe/a')?.[0]).toBe(1);
    expect(sectionCode(programs, 'data')).toBeUndefined();
    expect(skippedReason(programs, 'kprobe/a', 8)).toBeUndefined();
    expect(skippedReason(programs, 'kprobe/a', 16)).toBe(
      "no program of section 'kprobe/a' holds instruction #2",
    );
    expect(skippedReason(programs, 'kprobe/a', 64)).toMatch(
      /past the end of section 'kprobe\/a' \(8 instructions\)/,
    );
    expect(skippedReason(programs, 'data', 0)).toBe("section 'data' holds no program");
    expect(skippedReason(programs, 'nope', 0)).toBe("the object has no section 'nope'");
  });

  it('sorts a hostile number of programs given in reverse order quickly', () => {
    const count = 200_000;
    const symbols = Array.from({ length: count }, (_, k) => func(1, 8 * (count - 1 - k), 8));
    const started = performance.now();
    const programs = programMap(elfWith([{ name: '.text', ...EXEC, size: 8 * count }], symbols));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(programs.extents[0]).toBe(0);
    expect(programs.extents[2 * count - 1]).toBe(8 * count);
    expect(skippedReason(programs, '.text', 8 * (count - 1))).toBeUndefined();
  });
});
