#!/usr/bin/env bash
# Rebuilds exec-events.bpf.o (committed; the agent's build and tests never run this).
#
# Needs (Debian 12): clang-19 (CLANG=... to override), bpftool, libbpf-dev (bpf/*.h), xz-utils.
# vmlinux.h comes from a kernel BTF of the repository's sample snapshot (Debian 12, 6.1, x86_64); the object
# is CO-RE, so it loads on other kernels with their BTF (or a minimized one, as the agent does).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
CLANG="${CLANG:-clang-19}"
RELEASE=6.1.0-54-amd64

for tool in "$CLANG" bpftool tar xz; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[[ -f /usr/include/bpf/bpf_core_read.h ]] || { echo "missing libbpf-dev headers" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xJf "$ROOT/sample-snapshot/debian/12/x86_64/$RELEASE.btf.tar.xz" -C "$work" "$RELEASE.btf"
bpftool btf dump file "$work/$RELEASE.btf" format c >"$work/vmlinux.h"

# -fdebug-prefix-map keeps the machine's paths out of the DWARF; same clang + headers -> same bytes.
(cd "$HERE" && "$CLANG" -g -O2 -Wall -Werror -fno-ident -fdebug-prefix-map="$HERE"=. -fdebug-prefix-map="$work"=. \
  -target bpf -D__TARGET_ARCH_x86 -I"$work" -c exec-events.bpf.c -o "$work/exec-events.bpf.o")
mv "$work/exec-events.bpf.o" "$HERE/exec-events.bpf.o"
echo "built examples/agent/bpf/exec-events.bpf.o"
