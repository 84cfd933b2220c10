import { type Btf, latin1At } from '../btf/btf.js';
import { essentialLengthAt, essentialLengthOf } from '../btf/essential-name.js';

/**
 * libbpf bpf_core_essential_name_len: length of `name` without its last `___flavor` suffix (docs/core-relocations.md#essential-names-and-flavors).
 * `task_struct___old` → 11; `a___b___c` → 5; `foo____bar` (four underscores) has no flavor.
 */
export function essentialNameLength(name: string): number {
  return essentialLengthOf(name.length, (i) => name.charCodeAt(i));
}

/** `name` without its flavor suffix. */
export function essentialName(name: string): string {
  return name.slice(0, essentialNameLength(name));
}

/** libbpf bpf_core_names_match (TYPE_MATCHES): an empty target name only matches an empty local name. */
export function namesMatch(local: string, target: string): boolean {
  if (target === '') return local === '';
  return essentialName(local) === essentialName(target);
}

/**
 * Whether the essential name of the string at offset `off` of `btf` is `essential` (a latin1 JS string), compared
 * on the bytes without decoding.
 */
export function essentialNameIs(btf: Btf, off: number, essential: string): boolean {
  const start = btf.stringStart(off);
  return essentialLengthAt(btf.bytes, start) === essential.length && latin1At(btf.bytes, start, essential);
}
