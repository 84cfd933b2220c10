const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x64: 'x86_64',
  amd64: 'x86_64',
  x86_64: 'x86_64',
  arm64: 'arm64',
  aarch64: 'arm64',
  ia32: 'x86',
  x86: 'x86',
  i386: 'x86',
  i686: 'x86',
  arm: 'arm',
  armhf: 'arm',
  s390x: 's390x',
  ppc64: 'ppc64le',
  ppc64le: 'ppc64le',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
  loongarch64: 'loongarch64',
  mips64el: 'mips64el',
};

/**
 * Normalises a Node `process.arch`, `uname -m` or Debian arch name to BTFHub's spelling
 * (x64/amd64 → `x86_64`, arm64/aarch64 → `arm64`, ppc64 → `ppc64le`, ...). Unknown names pass through.
 */
export function normalizeArch(arch: string): string {
  return ARCH_ALIASES[arch] ?? arch;
}
