import { Btf } from './btf/btf.js';
import { type BtfExt, parseBtfExt } from './btf/ext.js';
import { Elf, type ElfFile, readElf } from './elf/elf.js';
import { FormatError } from './errors.js';

/** A BPF ELF object's BTF and .BTF.ext, as the CO-RE resolver and the minimizer need them. */
export interface BpfObject {
  /** File name (for messages and reports). */
  file: string;
  /** The parsed ELF. */
  elf: ElfFile;
  /** The object's own ("local") BTF. */
  btf: Btf;
  /** The parsed .BTF.ext. */
  ext: BtfExt;
}

/**
 * Parse a BPF object file (clang `--target=bpf` output): its ELF sections `.BTF` and `.BTF.ext` (both required,
 * both SHT_PROGBITS and uncompressed, as libbpf requires).
 */
export function parseBpfObject(bytes: Uint8Array, file = '<object>'): BpfObject {
  const elf = readElf(bytes, file);
  const btf = Btf.parse(requireSection(elf, '.BTF', file), {
    file,
    section: '.BTF',
    pointerSize: elf.bits / 8,
  });
  const ext = parseBtfExt(requireSection(elf, '.BTF.ext', file), btf, { file });
  return { file, elf, btf, ext };
}

function requireSection(elf: ElfFile, name: string, file: string): Uint8Array {
  const section = elf.section(name);
  if (!section) {
    const hint = name === '.BTF' || name === '.BTF.ext' ? ' (was the object compiled with -g?)' : '';
    throw new FormatError(`section ${name} not found${hint}`, { file });
  }
  if (section.type !== Elf.SHT_PROGBITS) {
    throw new FormatError(`section ${name} has type ${section.type}, expected SHT_PROGBITS`, {
      file,
      section: name,
    });
  }
  if (section.flags & Elf.SHF_COMPRESSED) {
    throw new FormatError(`section ${name} is compressed`, { file, section: name });
  }
  return elf.sectionData(name) as Uint8Array;
}
