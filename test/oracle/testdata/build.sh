#!/bin/sh
# Rebuild the committed test objects of test/oracle (clang >= 15 and libbpf headers needed).
set -eu
cd "$(dirname "$0")"
CLANG=${CLANG:-clang-19}
ARCH_INC=/usr/include/$(uname -m)-linux-gnu
"$CLANG" -g -O2 --target=bpf -D__TARGET_ARCH_x86 -I"$ARCH_INC" -Wall -c oracle-probe.bpf.c -o oracle-probe.bpf.o
"$CLANG" -g -O2 --target=bpf -Wall -c ambiguous-target.bpf.c -o ambiguous-target.bpf.o
"$CLANG" -g -O2 --target=bpf -D__TARGET_ARCH_x86 -I"$ARCH_INC" -Wall -c mm-only.bpf.c -o mm-only.bpf.o
"$CLANG" -g -O2 --target=bpf -D__TARGET_ARCH_x86 -I"$ARCH_INC" -Wall -c layout-probe.bpf.c -o layout-probe.bpf.o
"$CLANG" -g -O2 --target=bpf -Wall -c ldst-target.bpf.c -o ldst-target.bpf.o
for o in ldst-adjust ldst-range ldst-width ldst-newsize shift-wrap; do
	"$CLANG" -g -O2 --target=bpf -D__TARGET_ARCH_x86 -I"$ARCH_INC" -Wall -c "$o.bpf.c" -o "$o.bpf.o"
done
