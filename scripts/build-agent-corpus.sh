#!/usr/bin/env bash
# Rebuild the agent-size corpus (packages/core/testdata/agent/ and agent-stripped/) from the C sources in
# packages/core/testdata/src/agent/, then its manifest.json and README.md
# (written by test/core/agent-corpus.test.ts with UPDATE_AGENT_MANIFEST=1).
#
# Every source becomes two objects, as real projects ship them:
#   testdata/agent/<name>.bpf.o            clang -g -O2 --target=bpf, DWARF left in (libbpf-tools' Makefile)
#   testdata/agent-stripped/<name>.bpf.o   the same after `llvm-strip -g` (what bpf2go embeds): .BTF and
#                                          .BTF.ext kept, .debug_* gone
# Built against the vmlinux.h of the sample snapshot's x86_64 6.1.0-54-amd64 kernel (-D__TARGET_ARCH_x86).
#
# Needs (Debian 12): clang-19 and llvm-19 (CLANG=..., STRIP=... to override; the committed objects were built
# with Debian clang 19.1), bpftool, libbpf-dev (bpf/*.h), tar, xz, node + `pnpm build` (the manifest is counted by our reader).
# Deterministic: source paths are rewritten with -fdebug-prefix-map and -fno-ident drops the compiler banner,
# so running it twice gives identical bytes. Tests never run this: the built objects are committed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TD="$ROOT/packages/core/testdata"
SRC="$TD/src/agent"
BUILD="$TD/build"
OUT="$TD/agent"
STRIPPED="$TD/agent-stripped"
CLANG="${CLANG:-clang-19}"
STRIP="${STRIP:-llvm-strip-19}"

for tool in "$CLANG" "$STRIP" bpftool tar xz node; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool (Debian: apt-get install clang-19 llvm-19 bpftool libbpf-dev xz-utils)" >&2
    exit 1
  }
done
[[ -f /usr/include/bpf/bpf_tracing.h ]] || { echo "missing libbpf-dev headers" >&2; exit 1; }

# shellcheck source=scripts/testdata-vmlinux.sh
source "$ROOT/scripts/testdata-vmlinux.sh"
gen_vmlinux_h x86_64 6.1.0-54-amd64 x86/vmlinux.h

CFLAGS=(-g -O2 -Wall -Werror -Wno-unused-variable -Wno-unused-function
  -fdebug-prefix-map="$ROOT"=. -fno-ident --target=bpf -D__TARGET_ARCH_x86 -I"$BUILD/x86")

rm -rf "$OUT" "$STRIPPED"
mkdir -p "$OUT" "$STRIPPED"
for src in "$SRC"/*.bpf.c; do
  name="$(basename "$src" .bpf.c)"
  (cd "$ROOT" && "$CLANG" "${CFLAGS[@]}" -c "${src#"$ROOT"/}" -o "$OUT/$name.bpf.o")
  "$STRIP" -g "$OUT/$name.bpf.o" -o "$STRIPPED/$name.bpf.o"
done
echo "built $(find "$OUT" -name '*.bpf.o' | wc -l) objects into ${OUT#"$ROOT"/} and ${STRIPPED#"$ROOT"/}"

# manifest.json and README.md, counted with our .BTF.ext reader (needs `pnpm build` for packages/core/dist).
(cd "$ROOT" && UPDATE_AGENT_MANIFEST=1 npx vitest run test/core/agent-corpus.test.ts)
