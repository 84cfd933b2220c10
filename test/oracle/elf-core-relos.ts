/**
 * Independent count of an object's CO-RE relocation records, used to check that the libbpf
 * harness reports each of them exactly once. Reads a little-endian ELF64 `.bpf.o` directly
 * (section headers, `.BTF` strings, `.BTF.ext` core_relo subsection); no validation beyond
 * what the tests need.
 */
import { readFileSync } from 'node:fs';

/** One core_relo record identity: `.BTF.ext` group (section) name and index in the group. */
export interface CoreReloId {
  section: string;
  reloIndex: number;
  insnIndex: number;
  kind: number;
}

/**
 * Lists the core_relo records of `objectPath` in file order (empty if it has no `.BTF.ext`
 * CO-RE data). Throws for anything but a little-endian ELF64 file.
 */
export function listCoreRelos(objectPath: string): CoreReloId[] {
  const buf = readFileSync(objectPath);
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) {
    throw new Error(`${objectPath}: not a little-endian ELF64 object`);
  }
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: v.getUint32(o, true), off: Number(v.getBigUint64(o + 24, true)) };
  };
  const cstr = (off: number) => buf.subarray(off, buf.indexOf(0, off)).toString('utf8');
  const shstr = sh(shstrndx).off;
  const sections = new Map<string, number>();
  for (let i = 0; i < shnum; i++) sections.set(cstr(shstr + sh(i).name), sh(i).off);
  const btf = sections.get('.BTF');
  const ext = sections.get('.BTF.ext');
  if (btf === undefined || ext === undefined) return [];
  const btfStr = btf + v.getUint32(btf + 4, true) + v.getUint32(btf + 16, true);
  const hdrLen = v.getUint32(ext + 4, true);
  if (hdrLen < 32 || v.getUint32(ext + 28, true) === 0) return [];
  let p = ext + hdrLen + v.getUint32(ext + 24, true);
  const end = p + v.getUint32(ext + 28, true);
  const recSize = v.getUint32(p, true);
  p += 4;
  const out: CoreReloId[] = [];
  while (p < end) {
    const section = cstr(btfStr + v.getUint32(p, true));
    const num = v.getUint32(p + 4, true);
    p += 8;
    for (let i = 0; i < num; i++, p += recSize) {
      out.push({
        section,
        reloIndex: i,
        insnIndex: v.getUint32(p, true) / 8,
        kind: v.getUint32(p + 12, true),
      });
    }
  }
  return out;
}
