#!/usr/bin/env python3
"""Extract the raw vmlinux BTF blob from a Debian kernel image (vmlinuz).

Usage: extract-vmlinuz-btf.py VMLINUZ OUT.btf

Debian's /boot/vmlinuz-* is a self-decompressing image (x86 bzImage: XZ for
the generic/rt flavours, LZ4 for cloud, ZSTD for 6.12) or an uncompressed raw
arm64 Image.  This script tries every XZ (FD 37 7A 58 5A 00) and gzip
(1F 8B 08) stream start with the Python standard library, and every ZSTD
(28 B5 2F FD) and legacy LZ4 (02 21 4C 18) start with the `zstd` / `lz4` CLIs
(Debian packages zstd, lz4), and scans each result (and the file itself, for
uncompressed images) for a BTF header:

  little-endian  9F EB 01 00 18 00 00 00   (magic 0xEB9F, version 1, flags 0, hdr_len 24)
  big-endian     EB 9F 01 00 00 00 00 18

The blob size is taken from the header: hdr_len + max(type_off+type_len,
str_off+str_len).  A candidate is accepted only if its header is consistent
(type section before strings, string section starts and ends with NUL) and it
is the largest one found (vmlinux has exactly one .BTF section; small false
positives are rejected by the checks).  The largest candidate must also be at
least 100 000 bytes (a vmlinux BTF is megabytes), else it counts as not found.
Exits 2 if no BTF is found.
"""
import lzma
import shutil
import struct
import subprocess
import sys
import zlib

LE_MAGIC = bytes.fromhex("9feb010018000000")
BE_MAGIC = bytes.fromhex("eb9f010000000018")


def find_btf(data: bytes):
    best = None
    for magic, endian in ((LE_MAGIC, "<"), (BE_MAGIC, ">")):
        pos = data.find(magic)
        while pos >= 0:
            if pos + 24 <= len(data):
                _, _, _, hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(
                    endian + "HBBIIIII", data, pos
                )
                end = pos + hdr_len + max(type_off + type_len, str_off + str_len)
                ok = (
                    hdr_len == 24
                    and type_off == 0
                    and str_off >= type_off + type_len
                    and type_len > 0
                    and str_len > 1
                    and end <= len(data)
                )
                if ok:
                    s0 = pos + hdr_len + str_off
                    ok = data[s0] == 0 and data[s0 + str_len - 1] == 0
                if ok and (best is None or end - pos > len(best)):
                    best = data[pos:end]
            pos = data.find(magic, pos + 1)
    return best


def streams(raw: bytes):
    """Yield every decompressible payload in the image (plus the image itself)."""
    yield raw
    pos = raw.find(b"\xfd7zXZ\x00")
    while pos >= 0:
        try:
            d = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
            yield d.decompress(raw[pos:])
        except lzma.LZMAError:
            pass
        pos = raw.find(b"\xfd7zXZ\x00", pos + 1)
    pos = raw.find(b"\x1f\x8b\x08")
    while pos >= 0:
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            yield d.decompress(raw[pos:])
        except zlib.error:
            pass
        pos = raw.find(b"\x1f\x8b\x08", pos + 1)
    for magic, tool in ((b"\x28\xb5\x2f\xfd", "zstd"), (b"\x02\x21\x4c\x18", "lz4")):
        pos = raw.find(magic)
        if pos >= 0 and shutil.which(tool) is None:
            print(f"warning: {tool} stream found but the {tool} CLI is missing", file=sys.stderr)
            continue
        while pos >= 0:
            # Trailing bytes after the frame make the tool exit non-zero; the
            # decoded frame is still on stdout, which is all we need.
            r = subprocess.run([tool, "-dcq"], input=raw[pos:], capture_output=True)
            if r.stdout:
                yield r.stdout
            pos = raw.find(magic, pos + 1)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 1
    raw = open(sys.argv[1], "rb").read()
    best = None
    for payload in streams(raw):
        btf = find_btf(payload)
        if btf is not None and (best is None or len(btf) > len(best)):
            best = btf
    if best is None or len(best) < 100_000:
        print(f"{sys.argv[1]}: no vmlinux BTF found", file=sys.stderr)
        return 2
    with open(sys.argv[2], "wb") as f:
        f.write(best)
    endian = "little" if best[:2] == b"\x9f\xeb" else "big"
    print(f"{sys.argv[2]}: {len(best)} bytes, {endian}-endian BTF")
    return 0


if __name__ == "__main__":
    sys.exit(main())
