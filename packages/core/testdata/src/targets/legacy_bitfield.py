#!/usr/bin/env python3
"""Write targets/legacy_bitfield.btf: a raw little-endian BTF whose struct uses the legacy
(kind_flag = 0) bitfield encoding, which clang no longer produces (docs/btfgen.md#fix-10-legacy-bitfields):

  [1] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 encoding=(none)
  [2] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
  [3] INT 'unsigned int' size=4 bits_offset=0 nr_bits=3 encoding=(none)
  [4] INT 'unsigned int' size=4 bits_offset=0 nr_bits=5 encoding=(none)
  [5] STRUCT 'legacy_bf' size=8 vlen=3 kind_flag=0
        'a' type_id=3 bits_offset=0
        'b' type_id=4 bits_offset=3
        'c' type_id=2 bits_offset=32
  [6] INT 'long int' size=8 nr_bits=64 encoding=SIGNED
"""
import struct
import sys

strings = b"\0unsigned int\0int\0legacy_bf\0a\0b\0c\0long int\0"
off = lambda s: strings.index(s.encode() + b"\0")
types = b""
INT, STRUCT = 1, 4


def t(name, kind, vlen, size_or_type, kflag=0):
    return struct.pack("<III", off(name) if name else 0, (kflag << 31) | (kind << 24) | vlen, size_or_type)


types += t("unsigned int", INT, 0, 4) + struct.pack("<I", 32)
types += t("int", INT, 0, 4) + struct.pack("<I", (1 << 24) | 32)
types += t("unsigned int", INT, 0, 4) + struct.pack("<I", 3)
types += t("unsigned int", INT, 0, 4) + struct.pack("<I", 5)
types += t("legacy_bf", STRUCT, 3, 8)
types += struct.pack("<III", off("a"), 3, 0)
types += struct.pack("<III", off("b"), 4, 3)
types += struct.pack("<III", off("c"), 2, 32)
types += t("long int", INT, 0, 8) + struct.pack("<I", (1 << 24) | 64)
hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strings))
with open(sys.argv[1], "wb") as f:
    f.write(hdr + types + strings)
