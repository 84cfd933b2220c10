#!/usr/bin/env bash
# Fetch the upstream oracles the tests compare against besides Debian 12's own bpftool 7.1 / libbpf 1.1:
# bpftool 7.5 and libbpf 1.4.6 from bookworm-backports, installed privately. Nothing on the system changes:
# apt runs with its own sources list, lists, cache and status directories under the cache directory
# (`apt-get download` needs no root), and the packages are unpacked with `dpkg -x`, never installed.
#
# Usage: scripts/fetch-upstream-oracles.sh [CACHE_DIR]   (default: .cache/upstream, git-ignored)
# Prints the variables the tests read (UPSTREAM_BPFTOOL, UPSTREAM_LIBBPF_DIR); the tests also find the
# default location on their own. Re-running is cheap: an existing complete unpack is kept.
# Versions: whatever bookworm-backports currently carries, which must be bpftool 7.5.x (its Debian version
# follows the backported kernel, e.g. 7.5.0+6.12.95-1~bpo12+1, and moves) and libbpf 1.4.6; pin exact Debian
# versions with BPFTOOL_VERSION / LIBBPF_VERSION. Mirror: MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="$(mkdir -p "${1:-$ROOT/.cache/upstream}" && cd "${1:-$ROOT/.cache/upstream}" && pwd)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
BPFTOOL_UPSTREAM=7.5.
LIBBPF_UPSTREAM=1.4.6
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
ROOTFS="$CACHE/root"
DONE="$ROOTFS/.complete"

for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null || { echo "fetch-upstream-oracles: needs $tool (Debian)" >&2; exit 1; }
done
[[ -f "$KEYRING" ]] || { echo "fetch-upstream-oracles: missing $KEYRING (debian-archive-keyring)" >&2; exit 1; }

if [[ ! -f "$DONE" ]]; then
  APT="$CACHE/apt"
  mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/etc/preferences.d" "$APT/debs"
  : >"$APT/status"
  cat >"$APT/sources.list" <<SOURCES
deb [signed-by=$KEYRING] $MIRROR bookworm-backports main
SOURCES
  apt_opts=(
    -o "Dir::Etc::SourceList=$APT/sources.list"
    -o "Dir::Etc::SourceParts=-"
    -o "Dir::Etc::Preferences=$APT/etc/preferences"
    -o "Dir::Etc::PreferencesParts=$APT/etc/preferences.d"
    -o "Dir::State::Lists=$APT/lists"
    -o "Dir::State::Status=$APT/status"
    -o "Dir::Cache=$APT/cache"
    -o "Dir::Cache::Archives=$APT/archives"
    -o "APT::Architecture=$(dpkg --print-architecture)"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=$(id -un)"
  )
  mkdir -p "$APT/cache"
  apt-get "${apt_opts[@]}" -qq update
  echo "fetch-upstream-oracles: bookworm-backports offers:" >&2
  apt-cache "${apt_opts[@]}" policy bpftool libbpf1 libbpf-dev | sed 's/^/  /' >&2
  (cd "$APT/debs" && rm -f ./*.deb &&
    apt-get "${apt_opts[@]}" -qq download "bpftool${BPFTOOL_VERSION:+=$BPFTOOL_VERSION}" \
      "libbpf1${LIBBPF_VERSION:+=$LIBBPF_VERSION}" "libbpf-dev${LIBBPF_VERSION:+=$LIBBPF_VERSION}")
  for deb in "$APT/debs"/*.deb; do
    pkg="$(dpkg-deb -f "$deb" Package)" version="$(dpkg-deb -f "$deb" Version)"
    case "$pkg:$version" in
      bpftool:"$BPFTOOL_UPSTREAM"* | libbpf1:*:"$LIBBPF_UPSTREAM"-* | libbpf-dev:*:"$LIBBPF_UPSTREAM"-*)
        echo "fetch-upstream-oracles: $pkg $version" >&2 ;;
      *)
        echo "fetch-upstream-oracles: got $pkg $version, want bpftool $BPFTOOL_UPSTREAM* / libbpf $LIBBPF_UPSTREAM" >&2
        exit 1 ;;
    esac
  done
  rm -rf "$ROOTFS.tmp"
  mkdir -p "$ROOTFS.tmp"
  for deb in "$APT/debs"/*.deb; do dpkg -x "$deb" "$ROOTFS.tmp"; done
  rm -rf "$ROOTFS"
  mv "$ROOTFS.tmp" "$ROOTFS"
  touch "$DONE"
fi

LIBDIR="$(dirname "$(find "$ROOTFS" -name 'libbpf.so.1' | head -n1)")"
BPFTOOL="$(find "$ROOTFS" -type f -name bpftool -perm -u+x | head -n1)"
[[ -n "$BPFTOOL" && -f "$LIBDIR/libbpf.so.1" ]] || { echo "fetch-upstream-oracles: incomplete unpack in $ROOTFS" >&2; exit 1; }
echo "UPSTREAM_ROOT=$ROOTFS"
echo "UPSTREAM_BPFTOOL=$BPFTOOL"
echo "UPSTREAM_LIBBPF_DIR=$LIBDIR"
echo "UPSTREAM_LIBBPF_INCLUDE=$ROOTFS/usr/include"
LD_LIBRARY_PATH="$LIBDIR" "$BPFTOOL" version >&2
