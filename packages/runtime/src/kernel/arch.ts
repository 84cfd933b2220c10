/**
 * Every architecture the tools know, by BTFHub's spelling: the other names it goes by (Node `process.arch`,
 * `uname -m`, Debian) and the Linux source-tree names that bpf2go writes into object names
 * (`<stem>_<target>_bpfel.o`). The one table of arch names for build time and run time.
 */
const ARCHES: Readonly<Record<string, { aliases: readonly string[]; bpfTargets: readonly string[] }>> = {
  x86_64: { aliases: ['x64', 'amd64'], bpfTargets: ['x86', 'amd64'] },
  arm64: { aliases: ['aarch64'], bpfTargets: ['arm64'] },
  x86: { aliases: ['ia32', 'i386', 'i686'], bpfTargets: [] },
  arm: { aliases: ['armhf'], bpfTargets: ['arm'] },
  s390x: { aliases: [], bpfTargets: ['s390'] },
  ppc64le: { aliases: ['ppc64', 'ppc64el'], bpfTargets: ['powerpc'] },
  riscv64: { aliases: [], bpfTargets: ['riscv'] },
  loongarch64: { aliases: ['loong64'], bpfTargets: ['loong64', 'loongarch'] },
  mips64el: { aliases: [], bpfTargets: ['mips'] },
};

const names = (pick: (entry: (typeof ARCHES)[string], arch: string) => readonly string[]) =>
  new Map(
    Object.entries(ARCHES).flatMap(([arch, entry]) => pick(entry, arch).map((n) => [n, arch] as const)),
  );

const ARCH_ALIASES = names((entry, arch) => [arch, ...entry.aliases]);
const BPF_TARGET_ARCHES = names((entry) => entry.bpfTargets);

/** Every arch the tools know, by BTFHub's spelling (`x86_64`, `arm64`, ...). */
export const KNOWN_ARCHES: readonly string[] = Object.keys(ARCHES);

/**
 * Normalises a Node `process.arch`, `uname -m` or Debian arch name to BTFHub's spelling
 * (x64/amd64 → `x86_64`, arm64/aarch64 → `arm64`, ppc64 → `ppc64le`, ...). Unknown names pass through.
 */
export function normalizeArch(arch: string): string {
  return ARCH_ALIASES.get(arch) ?? arch;
}

/**
 * The BTFHub arch of a bpf2go target (the Linux source-tree arch in `foo_x86_bpfel.o`: `x86` → `x86_64`,
 * `s390` → `s390x`, `powerpc` → `ppc64le`, `mips` → `mips64el`), or undefined for a name that is none.
 */
export function archOfBpfTarget(target: string): string | undefined {
  return BPF_TARGET_ARCHES.get(target);
}
