import { describe, expect, it } from 'vitest';
import {
  BTF_HEADER_LEN,
  BTF_LAYOUT_HEADER_LEN,
  BtfColumn,
  btfByteOrder,
  columnOf,
  INFO_RESERVED,
  infoKind,
  infoKindFlag,
  infoVlen,
  isElf,
  KIND_LAYOUTS,
  Kind,
  kindName,
  memberBitfieldSize,
  memberBitOffset,
  packInfo,
  packMemberOffset,
  readBtfHeader,
  recordHeaderValue,
  recordWords,
  writeBtfHeader,
} from '../src/format/index.js';

const { Name, Type, Size, Offset, Value, Misc } = BtfColumn;

/**
 * The column of every word from word 2 on, per kind, as bundle format v3 fixed it (docs/bundle-format.md): the
 * fixed part, then the words of one element. Written out here so that a change of the derived tables that would
 * change bundle bytes fails.
 */
const V3_COLUMNS: Record<number, { fixed: number[]; element: number[] }> = {
  [Kind.INT]: { fixed: [Size, Misc], element: [] },
  [Kind.PTR]: { fixed: [Type], element: [] },
  [Kind.ARRAY]: { fixed: [Type, Type, Type, Misc], element: [] },
  [Kind.STRUCT]: { fixed: [Size], element: [Name, Type, Offset] },
  [Kind.UNION]: { fixed: [Size], element: [Name, Type, Offset] },
  [Kind.ENUM]: { fixed: [Size], element: [Name, Value] },
  [Kind.FWD]: { fixed: [Size], element: [] },
  [Kind.TYPEDEF]: { fixed: [Type], element: [] },
  [Kind.VOLATILE]: { fixed: [Type], element: [] },
  [Kind.CONST]: { fixed: [Type], element: [] },
  [Kind.RESTRICT]: { fixed: [Type], element: [] },
  [Kind.FUNC]: { fixed: [Type], element: [] },
  [Kind.FUNC_PROTO]: { fixed: [Type], element: [Name, Type] },
  [Kind.VAR]: { fixed: [Type, Misc], element: [] },
  [Kind.DATASEC]: { fixed: [Size], element: [Type, Misc, Size] },
  [Kind.FLOAT]: { fixed: [Size], element: [] },
  [Kind.DECL_TAG]: { fixed: [Type, Misc], element: [] },
  [Kind.TYPE_TAG]: { fixed: [Type], element: [] },
  [Kind.ENUM64]: { fixed: [Size], element: [Name, Value, Misc] },
};

describe('BTF wire layout', () => {
  it('packs and unpacks the info word with a 7-bit kind, a 24-bit vlen and kind_flag', () => {
    for (const [kind, vlen, flag] of [
      [Kind.STRUCT, 3, true],
      [127, 0xffffff, false],
      [0, 0, true],
      [Kind.ENUM64, 0x10000, false],
    ] as const) {
      const info = packInfo(kind, vlen, flag);
      expect([infoKind(info), infoVlen(info), infoKindFlag(info)]).toEqual([kind, vlen, flag]);
    }
    expect(packInfo(Kind.STRUCT, 2, true)).toBe(0x84000002);
    expect(kindName(Kind.DECL_TAG)).toBe('DECL_TAG');
    expect(kindName(40)).toBe('KIND40');
  });

  it('packs member offset words: bitfield size over a 24-bit offset with kind_flag, the whole word without', () => {
    const word = packMemberOffset(0x123456, 5);
    expect(word).toBe(0x05123456);
    expect([memberBitOffset(word, true), memberBitfieldSize(word, true)]).toEqual([0x123456, 5]);
    expect([memberBitOffset(word, false), memberBitfieldSize(word, false)]).toEqual([word, 0]);
  });

  it('writes and reads the 24- and 32-byte headers in both byte orders', () => {
    for (const littleEndian of [true, false]) {
      const classic = new Uint8Array(BTF_HEADER_LEN + 8 + 4);
      expect(writeBtfHeader(new DataView(classic.buffer), { typeLen: 8, strLen: 4 }, littleEndian)).toBe(24);
      expect(btfByteOrder(classic)).toBe(littleEndian);
      expect(readBtfHeader(classic)).toEqual({
        littleEndian,
        version: 1,
        flags: 0,
        hdrLen: 24,
        typeOff: 0,
        typeLen: 8,
        strOff: 8,
        strLen: 4,
        layoutOff: 0,
        layoutLen: 0,
      });
      const layout = new Uint8Array(BTF_LAYOUT_HEADER_LEN + 8 + 80 + 4);
      const sizes = { typeLen: 8, strLen: 4, layoutLen: 80 };
      expect(writeBtfHeader(new DataView(layout.buffer), sizes, littleEndian)).toBe(32);
      expect(readBtfHeader(layout)).toMatchObject({ hdrLen: 32, strOff: 88, layoutOff: 8, layoutLen: 80 });
    }
    const le = new Uint8Array(BTF_HEADER_LEN);
    writeBtfHeader(new DataView(le.buffer), { typeLen: 0, strLen: 0 }, true);
    expect(Array.from(le.subarray(0, 2))).toEqual([0x9f, 0xeb]);
  });

  it('refuses what is not BTF, or too short for the header', () => {
    expect(btfByteOrder(new Uint8Array([0x9f]))).toBeUndefined();
    expect(btfByteOrder(new Uint8Array([0x7f, 0x45, 0x4c, 0x46]))).toBeUndefined();
    expect(readBtfHeader(new Uint8Array([0x9f, 0xeb, 1, 0]))).toBeUndefined();
    expect(readBtfHeader(new Uint8Array(BTF_HEADER_LEN))).toBeUndefined();
  });

  it('recognises the ELF magic and nothing shorter', () => {
    expect(isElf(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2]))).toBe(true);
    expect(isElf(new Uint8Array([0x7f, 0x45, 0x4c]))).toBe(false);
    expect(isElf(new Uint8Array([0x9f, 0xeb, 1, 0]))).toBe(false);
  });
});

describe('bundle column codec derived from the layout', () => {
  it('puts every word of every known kind in the column bundle format v3 puts it in', () => {
    for (const [kind, expected] of Object.entries(V3_COLUMNS).map(([k, v]) => [Number(k), v] as const)) {
      const vlen = 2;
      const words = recordWords(packInfo(kind, vlen, false)) as number;
      const fixedWords = 2 + expected.fixed.length;
      expect(words).toBe(fixedWords + vlen * expected.element.length);
      const got = Array.from({ length: words - 2 }, (_, i) => columnOf(kind, i + 2));
      expect(got).toEqual([...expected.fixed, ...expected.element, ...expected.element]);
    }
    expect(Object.keys(V3_COLUMNS).length).toBe(KIND_LAYOUTS.filter(Boolean).length);
  });

  it('takes only records within the historical 5-bit kind and 16-bit vlen', () => {
    expect(INFO_RESERVED).toBe(0x60ff0000);
    expect(recordHeaderValue(packInfo(Kind.STRUCT, 1, true))).toBe(Kind.STRUCT | 32);
    expect(recordWords(packInfo(Kind.UNKN, 0, false))).toBeUndefined();
    expect(recordWords(packInfo(20, 0, false))).toBeUndefined();
    expect(recordWords(packInfo(Kind.FUNC, 1, false))).toBe(3);
  });
});
