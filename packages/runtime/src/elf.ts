import { btfByteOrder } from './format/btf-layout.js';

/** The four bytes every ELF file starts with: `7F 'E' 'L' 'F'`. */
export const ELF_MAGIC: readonly number[] = [0x7f, 0x45, 0x4c, 0x46];

/** Whether `bytes` starts with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= ELF_MAGIC.length && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

const SHSTRTAB = '\0.shstrtab\0.BTF\0';

/**
 * Wraps raw BTF in a minimal ELF64 relocatable file with a `.BTF` section (and `.shstrtab`), the form libbpf
 * and bpftool accept for `vmlinux` files. The ELF byte order follows the BTF magic; machine is EM_NONE.
 */
export function wrapBtfInElf(btf: Uint8Array): Uint8Array {
  const little = btfByteOrder(btf) !== false;
  const names = new TextEncoder().encode(SHSTRTAB);
  const ehdr = 64;
  const btfOff = ehdr;
  const namesOff = btfOff + btf.length;
  const shOff = Math.ceil((namesOff + names.length) / 8) * 8;
  const out = new Uint8Array(shOff + 3 * 64);
  const v = new DataView(out.buffer);
  out.set([...ELF_MAGIC, 2, little ? 1 : 2, 1], 0); // magic, ELFCLASS64, data, EV_CURRENT
  v.setUint16(16, 1, little); // ET_REL
  v.setUint16(18, 0, little); // EM_NONE
  v.setUint32(20, 1, little); // e_version
  v.setBigUint64(40, BigInt(shOff), little); // e_shoff
  v.setUint16(52, ehdr, little); // e_ehsize
  v.setUint16(58, 64, little); // e_shentsize
  v.setUint16(60, 3, little); // e_shnum
  v.setUint16(62, 1, little); // e_shstrndx
  out.set(btf, btfOff);
  out.set(names, namesOff);
  const section = (i: number, name: number, type: number, offset: number, size: number, align: number) => {
    const at = shOff + i * 64;
    v.setUint32(at, name, little);
    v.setUint32(at + 4, type, little);
    v.setBigUint64(at + 24, BigInt(offset), little);
    v.setBigUint64(at + 32, BigInt(size), little);
    v.setBigUint64(at + 48, BigInt(align), little);
  };
  section(1, 1, 3, namesOff, names.length, 1); // .shstrtab, SHT_STRTAB
  section(2, 11, 1, btfOff, btf.length, 4); // .BTF, SHT_PROGBITS
  return out;
}
