#!/usr/bin/env python3
"""List the CO-RE relocations of BPF objects (for checking the test corpus by hand).

Usage: dump-core-relos.py OBJ.o [...]          one line per relocation
       dump-core-relos.py --json OBJ.o [...]   {file: [{sec, insn_off, type_id, type, access, kind}]}
       dump-core-relos.py --extract-btf OBJ.o OUT.btf   write the raw .BTF section (as stored)

Reads .BTF (type names) and .BTF.ext (core_relo subsection) of ELF64/ELF32, either byte order.
"""
import json
import struct
import sys

KINDS = ["FIELD_BYTE_OFFSET", "FIELD_BYTE_SIZE", "FIELD_EXISTS", "FIELD_SIGNED", "FIELD_LSHIFT_U64",
         "FIELD_RSHIFT_U64", "TYPE_ID_LOCAL", "TYPE_ID_TARGET", "TYPE_EXISTS", "TYPE_SIZE",
         "ENUMVAL_EXISTS", "ENUMVAL_VALUE", "TYPE_MATCHES"]
BTF_KINDS = ["void", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef", "volatile",
             "const", "restrict", "func", "func_proto", "var", "datasec", "float", "decl_tag",
             "type_tag", "enum64"]


def sections(data):
    cls, en = data[4], "<" if data[5] == 1 else ">"
    if cls == 2:
        shoff, = struct.unpack_from(en + "Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(en + "HHH", data, 0x3A)
    else:
        shoff, = struct.unpack_from(en + "I", data, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(en + "HHH", data, 0x2E)
    hdrs = []
    for i in range(shnum):
        o = shoff + i * shentsize
        if cls == 2:
            name, = struct.unpack_from(en + "I", data, o)
            off, size = struct.unpack_from(en + "QQ", data, o + 24)
        else:
            name, = struct.unpack_from(en + "I", data, o)
            off, size = struct.unpack_from(en + "II", data, o + 16)
        hdrs.append((name, off, size))
    _, stroff, _ = hdrs[shstrndx]
    out = {}
    for name, off, size in hdrs:
        end = data.index(b"\0", stroff + name)
        out[data[stroff + name:end].decode()] = data[off:off + size]
    return out


def parse_btf(btf):
    en = "<" if btf[:2] == b"\x9f\xeb" else ">"
    hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(en + "IIIII", btf, 4)
    strs = btf[hdr_len + str_off:hdr_len + str_off + str_len]
    types = [("void", "")]
    p, end = hdr_len + type_off, hdr_len + type_off + type_len
    while p < end:
        name_off, info, _ = struct.unpack_from(en + "III", btf, p)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        name = strs[name_off:strs.index(b"\0", name_off)].decode()
        types.append((BTF_KINDS[kind] if kind < len(BTF_KINDS) else str(kind), name))
        p += 12 + {1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen, 13: 8 * vlen, 14: 4,
                   15: 12 * vlen, 17: 4, 19: 12 * vlen}.get(kind, 0)
    return en, types, strs


def relos(path):
    data = open(path, "rb").read()
    secs = sections(data)
    en, types, strs = parse_btf(secs[".BTF"])
    ext = secs[".BTF.ext"]
    hdr_len, = struct.unpack_from(en + "I", ext, 4)
    if hdr_len < 32:
        return []
    core_off, core_len = struct.unpack_from(en + "II", ext, 24)
    if core_len == 0:
        return []
    p = hdr_len + core_off
    end = p + core_len
    rec_size, = struct.unpack_from(en + "I", ext, p)
    p += 4
    res = []
    s = lambda o: strs[o:strs.index(b"\0", o)].decode()
    while p < end:
        sec_off, n = struct.unpack_from(en + "II", ext, p)
        p += 8
        for _ in range(n):
            insn, tid, acc, kind = struct.unpack_from(en + "IIII", ext, p)
            p += rec_size
            k, nm = types[tid]
            res.append({"sec": s(sec_off), "insn_off": insn, "type_id": tid, "type": f"{k} {nm}".strip(),
                        "access": s(acc), "kind": KINDS[kind] if kind < len(KINDS) else str(kind)})
    return res


def main():
    args = sys.argv[1:]
    if args[:1] == ["--extract-btf"]:
        with open(args[2], "wb") as f:
            f.write(sections(open(args[1], "rb").read())[".BTF"])
        return
    as_json = args[:1] == ["--json"]
    if as_json:
        args = args[1:]
    result = {a: relos(a) for a in args}
    if as_json:
        json.dump(result, sys.stdout, indent=1)
        return
    for f, rs in result.items():
        for r in rs:
            print(f"{f}: {r['sec']} insn {r['insn_off']} {r['kind']} [{r['type_id']}] {r['type']} '{r['access']}'")


if __name__ == "__main__":
    main()
