#!/usr/bin/env bash
# Rebuild the committed test corpus in packages/core/testdata/ from the C sources in
# packages/core/testdata/src/ (see packages/core/testdata/README.md).
#
# Needs (Debian 12): clang-19 (CLANG=... to override; the committed objects were built with
# Debian clang 19.1), dwarves (pahole), bpftool (7.x), libbpf-dev (bpf/bpf_helpers.h, bpf/bpf_core_read.h),
# python3, xz. Tests never run this: the built objects are committed.
#
# Outputs (deterministic: same clang + same libbpf headers -> same bytes; source paths are
# rewritten with -fdebug-prefix-map so the machine's paths don't leak):
#   testdata/<name>.bpf.o                  real-world objects (src/real, x86_64 vmlinux.h) and
#                                          edge-case objects (src/edge), little-endian
#   testdata/<name>_{x86,arm64}_bpfel.o    a few real-world objects per arch, bpf2go naming
#   testdata/<name>_bpfeb.bpf.o            big-endian copies of a few objects
#   testdata/targets/<name>.o              synthetic target BTFs (src/targets), .BTF in an ELF
#   testdata/targets/<name>_bpfeb.o        big-endian targets
#   testdata/targets/legacy_bitfield.btf   raw BTF written by src/targets/legacy_bitfield.py
#   testdata/targets/bitfields_bpfeb.btf   raw big-endian BTF (.BTF of the bpfeb target)
#   testdata/targets/ptrsize32.btf         raw 32-bit BTF (i386 DWARF -> pahole -J)
#   testdata/linked.bpf.o                  `bpftool gen object` of two edge objects
#   testdata/weak_linked.bpf.o             the same of two objects defining one weak subprogram
#   testdata/no_btf.bpf.o                  compiled without -g (no .BTF / .BTF.ext)
# vmlinux.h files are generated from sample-snapshot/ into testdata/build/ (git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TD="$ROOT/packages/core/testdata"
SRC="$TD/src"
BUILD="$TD/build"
CLANG="${CLANG:-clang-19}"

for tool in "$CLANG" bpftool pahole python3 tar xz; do
  command -v "$tool" >/dev/null || {
    echo "missing $tool (Debian: apt-get install clang-19 llvm-19 dwarves bpftool libbpf-dev xz-utils)" >&2
    exit 1
  }
done
[[ -f /usr/include/bpf/bpf_core_read.h ]] || { echo "missing libbpf-dev headers" >&2; exit 1; }
ver="$("$CLANG" --version | head -n1)"
case "$ver" in
  *" 19."*) ;;
  *) echo "warning: expected clang 19, got: $ver (objects will differ from the committed ones)" >&2 ;;
esac

mkdir -p "$BUILD" "$TD/targets"

# --- vmlinux.h per arch, from the sample snapshot -------------------------------------------
# shellcheck source=scripts/testdata-vmlinux.sh
source "$ROOT/scripts/testdata-vmlinux.sh"
gen_vmlinux_h x86_64 6.1.0-54-amd64 x86/vmlinux.h
gen_vmlinux_h arm64 6.1.0-50-arm64 arm64/vmlinux.h

# --- compile helpers --------------------------------------------------------------------------
CFLAGS=(-g -O2 -Wall -Werror -Wno-unused-variable -Wno-unused-function
  -fdebug-prefix-map="$ROOT"=. -fno-ident)

bpf_cc() { # target(bpfel|bpfeb) out src [extra flags...]
  local target="$1" out="$2" src="$3"
  shift 3
  (cd "$ROOT" && "$CLANG" "${CFLAGS[@]}" --target="$target" "$@" -c "${src#"$ROOT"/}" -o "$out.tmp")
  mv "$out.tmp" "$out"
  echo "  built ${out#"$ROOT"/}"
}

echo "== real-world objects (vmlinux.h from the sample snapshot)"
for src in "$SRC"/real/*.bpf.c; do
  name="$(basename "$src" .bpf.c)"
  bpf_cc bpfel "$TD/$name.bpf.o" "$src" -I"$BUILD/x86"
done
# bpf2go-style per-arch copies (the objects embed most of vmlinux.h's types, ~750 KB each for
# execsnoop/tcpstates/biolatency, so only a few are built per arch).
bpf_cc bpfel "$TD/opensnoop_x86_bpfel.o" "$SRC/real/opensnoop.bpf.c" -I"$BUILD/x86" -D__TARGET_ARCH_x86
bpf_cc bpfel "$TD/opensnoop_arm64_bpfel.o" "$SRC/real/opensnoop.bpf.c" -I"$BUILD/arm64" -D__TARGET_ARCH_arm64
bpf_cc bpfel "$TD/execsnoop_arm64_bpfel.o" "$SRC/real/execsnoop.bpf.c" -I"$BUILD/arm64" -D__TARGET_ARCH_arm64
bpf_cc bpfeb "$TD/opensnoop_bpfeb.bpf.o" "$SRC/real/opensnoop.bpf.c" -I"$BUILD/x86"

echo "== edge-case objects"
for src in "$SRC"/edge/*.bpf.c; do
  name="$(basename "$src" .bpf.c)"
  bpf_cc bpfel "$TD/$name.bpf.o" "$src" -I"$SRC/edge"
done
for name in bitfields enums; do
  bpf_cc bpfeb "$TD/${name}_bpfeb.bpf.o" "$SRC/edge/$name.bpf.c" -I"$SRC/edge"
done

echo "== synthetic targets"
for src in "$SRC"/targets/*.c; do
  name="$(basename "$src" .c)"
  [[ "$name" == ptrsize32 ]] && continue
  bpf_cc bpfel "$TD/targets/$name.o" "$src"
done
for name in bitfields enums; do
  bpf_cc bpfeb "$TD/targets/${name}_bpfeb.o" "$SRC/targets/$name.c"
done
# Raw big-endian BTF (byte-swapped kernel BTF input), cut out of the bpfeb target.
python3 "$ROOT/scripts/dump-core-relos.py" --extract-btf "$TD/targets/bitfields_bpfeb.o" "$TD/targets/bitfields_bpfeb.btf"
echo "  built packages/core/testdata/targets/bitfields_bpfeb.btf"
# Raw BTF with the legacy (kind_flag 0) bitfield encoding.
python3 "$SRC/targets/legacy_bitfield.py" "$TD/targets/legacy_bitfield.btf"
echo "  built packages/core/testdata/targets/legacy_bitfield.btf"
# 32-bit target: i386 DWARF -> BTF with pahole (long and pointers are 4 bytes).
(cd "$ROOT" && "$CLANG" -g -O2 -fno-ident -fdebug-prefix-map="$ROOT"=. --target=i386-linux-gnu \
  -c "${SRC#"$ROOT"/}/targets/ptrsize32.c" -o "$BUILD/ptrsize32.o")
rm -f "$TD/targets/ptrsize32.btf"
pahole --btf_encode_detached="$TD/targets/ptrsize32.btf" "$BUILD/ptrsize32.o"
chmod 0644 "$TD/targets/ptrsize32.btf"
echo "  built packages/core/testdata/targets/ptrsize32.btf"

echo "== special objects"
# No -g: no .BTF and no .BTF.ext at all.
(cd "$ROOT" && "$CLANG" -O2 -fno-ident --target=bpf -c "${SRC#"$ROOT"/}/special/no_btf.c" -o "$TD/no_btf.bpf.o")
echo "  built packages/core/testdata/no_btf.bpf.o"
# Statically linked object (merged .BTF / .BTF.ext groups).
bpftool gen object "$TD/linked.bpf.o.tmp" "$TD/link_a.bpf.o" "$TD/link_b.bpf.o"
mv "$TD/linked.bpf.o.tmp" "$TD/linked.bpf.o"
echo "  built packages/core/testdata/linked.bpf.o"
# Linked object whose second weak subprogram is dropped, its .BTF.ext records kept (libbpf skips them).
bpftool gen object "$TD/weak_linked.bpf.o.tmp" "$TD/weak_a.bpf.o" "$TD/weak_b.bpf.o"
mv "$TD/weak_linked.bpf.o.tmp" "$TD/weak_linked.bpf.o"
echo "  built packages/core/testdata/weak_linked.bpf.o"

echo "done."
