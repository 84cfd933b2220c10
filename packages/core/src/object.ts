import { Btf } from './btf/btf.js';
import { type BtfExt, type CoreRelo, parseBtfExt } from './btf/ext.js';
import { type ByteSource, Elf, type ElfFile, readElf } from './elf/elf.js';
import { FileSource } from './elf/file.js';
import { FormatError } from './errors.js';
import { type ProgramMap, programMap, sectionCode, skippedReason } from './object-programs.js';
import { readInsnPatch } from './relo/patch.js';

/** What the CO-RE resolver and the minimizer read from a BPF object: its BTF and .BTF.ext, parsed. */
export interface ObjectBtf {
  /** File name (for messages and reports). */
  file: string;
  /** The object's own ("local") BTF. */
  btf: Btf;
  /** The parsed .BTF.ext. */
  ext: BtfExt;
}

/**
 * The raw `.BTF` and `.BTF.ext` of an object and the pointer size of its ELF class: all a lane needs to rebuild
 * the {@link ObjectBtf} (a few tens of KB, where the object file with its DWARF is often close to a megabyte).
 * Structured-clone friendly.
 */
export interface ObjectSections {
  /** File name (for messages and reports). */
  file: string;
  /** `.BTF` bytes. */
  btf: Uint8Array;
  /** `.BTF.ext` bytes. */
  ext: Uint8Array;
  /** 4 for ELF32, 8 for ELF64. */
  pointerSize: number;
  /** The ELF's byte order, the instructions' too. */
  littleEndian: boolean;
  /** The object's sections, programs and code: which CO-RE relocations libbpf applies, and their instructions. */
  programs: ProgramMap;
}

/** A BPF ELF object's BTF and .BTF.ext, as the CO-RE resolver and the minimizer need them, with its ELF. */
export interface BpfObject extends ObjectBtf {
  /** The parsed ELF. */
  elf: ElfFile;
  /** The sections {@link btf} and {@link ext} were parsed from. */
  sections: ObjectSections;
}

/**
 * Parse a BPF object (clang `--target=bpf` output), given as bytes or a {@link ByteSource}: its ELF sections
 * `.BTF` and `.BTF.ext` (both required, both SHT_PROGBITS and uncompressed, as libbpf requires).
 */
export function parseBpfObject(input: Uint8Array | ByteSource, file = '<object>'): BpfObject {
  const elf = readElf(input, file);
  checkBpfObject(elf, file);
  // Sections of bytes in memory are copied out: a view would carry (and clone, when posted to a lane) the whole
  // file. A file source reads them into their own buffers already.
  const own = (bytes: Uint8Array) => (input instanceof Uint8Array ? bytes.slice() : bytes);
  const sections: ObjectSections = {
    file,
    btf: own(requireSection(elf, '.BTF', file)),
    ext: own(requireSection(elf, '.BTF.ext', file)),
    pointerSize: elf.bits / 8,
    littleEndian: elf.littleEndian,
    programs: programMap(elf),
  };
  return { ...parseObjectSections(sections), elf, sections };
}

/**
 * Read and parse the BPF object at `path` (named `file` in messages) by positioned reads: the ELF header, the
 * section table and names, the symbols, the code of the sections with programs, `.BTF` and `.BTF.ext`, never the
 * rest of the file (its DWARF and relocations).
 */
export function readBpfObject(path: string, file = path): BpfObject {
  return readBpfObjectFrom(new FileSource(path), file);
}

/** {@link readBpfObject} through `source`, which is closed afterwards. */
export function readBpfObjectFrom(source: FileSource, file: string): BpfObject {
  try {
    return parseBpfObject(source, file);
  } finally {
    source.close();
  }
}

/**
 * Parse the sections of an object read elsewhere (e.g. by another thread); each CO-RE relocation libbpf would
 * skip is marked with why ({@link CoreRelo.skipped}), each other one gets its instruction ({@link CoreRelo.insn}).
 */
export function parseObjectSections(sections: ObjectSections): ObjectBtf {
  const { file } = sections;
  // Checked as libbpf checks an object's BTF (layout, ids, strings), not by the kernel's per-type rules: nothing of
  // an object's BTF is copied into a reduced kernel BTF, and every walk of its types is bounded.
  const btf = Btf.parse(sections.btf, {
    file,
    section: '.BTF',
    pointerSize: sections.pointerSize,
    typeChecks: 'deferred',
  });
  const ext = parseBtfExt(sections.ext, btf, { file });
  const { coreRelos } = ext;
  for (let i = 0; i < coreRelos.length; i++) {
    const relo = coreRelos[i] as CoreRelo;
    const skipped = skippedReason(sections.programs, relo.section, relo.insnOff);
    if (skipped !== undefined) relo.skipped = skipped;
    else
      relo.insn = readInsnPatch(
        sectionCode(sections.programs, relo.section) as Uint8Array,
        relo.insnOff,
        sections.littleEndian,
      );
  }
  return { file, btf, ext };
}

/**
 * libbpf opens only relocatable ELF files for the BPF machine (or no machine, as old toolchains wrote), and only
 * with a symbol table: its programs are the symbols (and without them no CO-RE record would apply).
 */
function checkBpfObject(elf: ElfFile, file: string): void {
  if (elf.type !== Elf.ET_REL || (elf.machine !== 0 && elf.machine !== Elf.EM_BPF)) {
    throw new FormatError(
      `not a BPF object: e_type ${elf.type}, e_machine ${elf.machine} (libbpf opens only ET_REL files for EM_BPF)`,
      { file, section: 'ELF header' },
    );
  }
  if (!elf.sections.some((s) => s.type === Elf.SHT_SYMTAB)) {
    throw new FormatError(
      'no symbol table (stripped with --strip-all?): libbpf opens no object without one',
      {
        file,
      },
    );
  }
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
