# Sourced by scripts/build-testdata.sh and scripts/build-agent-corpus.sh: writes the vmlinux.h the
# test objects are compiled against, from a kernel BTF of the sample snapshot, into $BUILD (git-ignored).
# Needs ROOT and BUILD set, and bpftool, tar and xz on PATH.

gen_vmlinux_h() { # arch release out
  local tarball="$ROOT/sample-snapshot/debian/12/$1/$2.btf.tar.xz"
  if [[ ! -f "$BUILD/$3" ]]; then
    mkdir -p "$(dirname "$BUILD/$3")"
    tar -xJf "$tarball" -C "$BUILD" "$2.btf"
    bpftool btf dump file "$BUILD/$2.btf" format c >"$BUILD/$3.tmp"
    mv "$BUILD/$3.tmp" "$BUILD/$3"
    rm -f "$BUILD/$2.btf"
  fi
}
