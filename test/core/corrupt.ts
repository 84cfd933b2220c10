/**
 * Corruptions of a reduced BTF used to prove that each oracle notices a wrong output: a member offset
 * moved and an enumerator value changed (test/oracle/btf-patch.ts), and a needed type made missing by
 * renaming it in the string section (strings are unique in our outputs, so one byte changes one name).
 */
import { shiftEnumValue, shiftMemberOffset } from '../oracle/btf-patch.js';

export { shiftEnumValue, shiftMemberOffset };

/** Returns a copy of little-endian raw `btf` where the string `name` is renamed (first byte → 'Z'). */
export function renameString(btf: Uint8Array, name: string): Uint8Array {
  const out = btf.slice();
  const v = new DataView(out.buffer);
  const strStart = v.getUint32(4, true) + v.getUint32(16, true);
  const strEnd = strStart + v.getUint32(20, true);
  const needle = Buffer.from(`\0${name}\0`, 'latin1');
  const at = Buffer.from(out.buffer, strStart, strEnd - strStart).indexOf(needle);
  if (at < 0) throw new Error(`string ${name} not found`);
  out[strStart + at + 1] = 'Z'.charCodeAt(0);
  return out;
}
