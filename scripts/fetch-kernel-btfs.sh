#!/usr/bin/env bash
# Fetch real Debian kernel BTFs in BTFHub archive layout.
#
#   scripts/fetch-kernel-btfs.sh [--force]          rebuild sample-snapshot/ (the 8 kernels the repo ships)
#   scripts/fetch-kernel-btfs.sh --bench [--force]  fill the benchmark kernel cache ($BTF_BUNDLE_KERNELS,
#                                                   default .cache/kernels, git-ignored) with 26 more kernels
#
# For every kernel listed below this script:
#   1. downloads the Debian kernel image package with `apt-get download` (into $DEB_CACHE,
#      default /var/tmp/btf-bundle-debs; nothing is installed),
#   2. pulls /boot/vmlinuz-<release> out of it with dpkg-deb + tar,
#   3. extracts the raw vmlinux BTF blob with scripts/extract-vmlinuz-btf.py (XZ/gzip via
#      Python's stdlib, ZSTD/LZ4 via the zstd/lz4 CLIs),
#   4. checks it parses with `bpftool btf dump file`,
#   5. writes <out>/debian/12/<arch>/<release>.btf.tar.xz holding exactly one member
#      <release>.btf, like btfhub-archive. The tarball is deterministic (sorted, owner 0,
#      mtime 0, mode 0644), so re-running on the same package gives the same bytes.
#
# Re-runnable: kernels whose tarball already exists are skipped (pass --force to redo them).
# <arch> uses BTFHub's names (x86_64, arm64). Foreign architectures are enabled with
# `dpkg --add-architecture` + `apt-get update` when needed (root only).
#
# Needs: apt-get, dpkg-deb, python3, xz, zstd, lz4, bpftool (Debian: bpftool zstd lz4 xz-utils).
#
# Not included, because Debian 12 builds them without CONFIG_DEBUG_INFO_BTF (no BTF in the image):
#   i386 (linux-image-6.1.0-*-686-pae-unsigned) and s390x (linux-image-6.1.0-*-s390x).
# Packages from bookworm-security (6.1.0-5x, 6.12.x) are replaced on the mirror by newer ABIs
# over time; if one is gone, pick the current one (apt-cache search linux-image-6) and edit the list.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEB_CACHE="${DEB_CACHE:-/var/tmp/btf-bundle-debs}"
FORCE=0
BENCH=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --bench) BENCH=1 ;;
    *) echo "usage: $0 [--bench] [--force]" >&2; exit 2 ;;
  esac
done

# btfhub-arch  release  package[:dpkg-arch]
KERNELS=(
  "x86_64 6.1.0-47-amd64 linux-image-6.1.0-47-amd64-unsigned"
  "x86_64 6.1.0-50-amd64 linux-image-6.1.0-50-amd64-unsigned"
  "x86_64 6.1.0-54-amd64 linux-image-6.1.0-54-amd64-unsigned"
  "x86_64 6.1.0-54-rt-amd64 linux-image-6.1.0-54-rt-amd64-unsigned"
  "x86_64 6.1.0-54-cloud-amd64 linux-image-6.1.0-54-cloud-amd64-unsigned"
  "x86_64 6.12.117+deb12-amd64 linux-image-6.12.117+deb12-amd64-unsigned"
  "arm64 6.1.0-50-arm64 linux-image-6.1.0-50-arm64-unsigned:arm64"
  "arm64 6.12.117+deb12-arm64 linux-image-6.12.117+deb12-arm64-unsigned:arm64"
)

# The benchmark set (none of them in sample-snapshot/): more ABIs of both series in all three x86_64 flavours, plus arm64 —
# releases of one series share most layouts, flavours and series differ, as in BTFHub.
BENCH_KERNELS=()
for abi in 6.1.0-53 6.1.0-55 6.1.0-56 6.1.0-57 6.12.107+deb12 6.12.111+deb12 6.12.113+deb12 6.12.115+deb12; do
  for flavour in amd64 cloud-amd64 rt-amd64; do
    BENCH_KERNELS+=("x86_64 $abi-$flavour linux-image-$abi-$flavour-unsigned")
  done
done
BENCH_KERNELS+=(
  "arm64 6.1.0-55-arm64 linux-image-6.1.0-55-arm64-unsigned:arm64"
  "arm64 6.12.115+deb12-arm64 linux-image-6.12.115+deb12-arm64-unsigned:arm64"
)
if [[ $BENCH -eq 1 ]]; then
  OUT="${BTF_BUNDLE_KERNELS:-$ROOT/.cache/kernels}/debian/12"
  KERNELS=("${BENCH_KERNELS[@]}")
else
  OUT="$ROOT/sample-snapshot/debian/12"
fi

for tool in apt-get dpkg-deb python3 xz zstd lz4 bpftool; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install bpftool zstd lz4 xz-utils)" >&2; exit 1; }
done

ensure_arch() {
  local a="$1"
  [[ "$a" == "$(dpkg --print-architecture)" ]] && return 0
  if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
    echo "enabling dpkg architecture $a" >&2
    dpkg --add-architecture "$a"
    apt-get update -q || true   # a mirror hiccup on one index must not stop us
  fi
}

mkdir -p "$DEB_CACHE"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for entry in "${KERNELS[@]}"; do
  read -r arch release pkg <<<"$entry"
  tarball="$OUT/$arch/$release.btf.tar.xz"
  if [[ -f "$tarball" && $FORCE -eq 0 ]]; then
    echo "skip $arch/$release (exists)"
    continue
  fi
  dpkg_arch="${pkg#*:}"
  [[ "$dpkg_arch" == "$pkg" ]] && dpkg_arch="$(dpkg --print-architecture)"
  ensure_arch "$dpkg_arch"
  name="${pkg%%:*}"
  deb="$(ls "$DEB_CACHE"/"${name}"_*_"${dpkg_arch}".deb 2>/dev/null | sort -V | tail -n1 || true)"
  if [[ -z "$deb" ]]; then
    (cd "$DEB_CACHE" && apt-get download -q "$pkg")
    deb="$(ls "$DEB_CACHE"/"${name}"_*_"${dpkg_arch}".deb | sort -V | tail -n1)"
  fi
  echo "== $arch $release from $(basename "$deb")"
  rm -rf "$WORK/x" && mkdir -p "$WORK/x" "$WORK/t"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$WORK/x" "./boot/vmlinuz-$release"
  python3 "$ROOT/scripts/extract-vmlinuz-btf.py" "$WORK/x/boot/vmlinuz-$release" "$WORK/t/$release.btf"
  bpftool btf dump file "$WORK/t/$release.btf" >"$WORK/dump.txt"
  n=$(grep -c '^\[' "$WORK/dump.txt" || true)
  echo "   bpftool parses it: $n types"
  chmod 0644 "$WORK/t/$release.btf"
  mkdir -p "$OUT/$arch"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=gnu \
    -C "$WORK/t" -cf - "$release.btf" | xz -9 -T1 -c >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  rm -f "$WORK/t/$release.btf"
  echo "   wrote $tarball ($(stat -c %s "$tarball") bytes)"
done
