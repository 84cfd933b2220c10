/**
 * libbpf bpf_core_essential_name_len: length of `name` without its last `___flavor` suffix (spec §3.1).
 * `task_struct___old` → 11; `a___b___c` → 5; `foo____bar` (four underscores) has no flavor.
 */
export function essentialNameLength(name: string): number {
  const n = name.length;
  for (let i = n - 5; i >= 0; i--) {
    if (
      name.charCodeAt(i) !== 0x5f &&
      name.charCodeAt(i + 1) === 0x5f &&
      name.charCodeAt(i + 2) === 0x5f &&
      name.charCodeAt(i + 3) === 0x5f &&
      name.charCodeAt(i + 4) !== 0x5f
    ) {
      return i + 1;
    }
  }
  return n;
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
