import { type Btf, isComposite, isEnum } from '../btf/btf.js';
import {
  infoVlen,
  KIND_LAYOUTS,
  Kind,
  kindName,
  MAX_BITFIELD_MEMBER_OFFSET,
  packInfo,
  packMemberOffset,
  wordRole,
} from '../btf/format.js';
import { BtfWriter } from '../btf/writer.js';
import { MinimizeError } from '../errors.js';
import type { MarkSet } from './marker.js';
import type { MinimizeMode } from './minimize.js';

/** Options of {@link emitBtf}. */
export interface EmitOptions {
  /** Minimizer mode (bpftool mode reproduces bpftool's emission errors). */
  mode: MinimizeMode;
  /**
   * Trim unused enumerators and let references to unkept typedef/modifier chains point at the type they resolve
   * to (docs/btfgen.md#compaction).
   */
  compact: boolean;
  /** Byte order of the output. */
  littleEndian: boolean;
}

/**
 * Build the reduced BTF from the marks (bpftool btfgen_get_btf, docs/btfgen.md#building-the-output): kept types in source id order,
 * composites with only their kept members, everything else copied verbatim with strings re-interned and type ids
 * remapped (unkept ids become void; when compacting, an unkept typedef/modifier chain becomes the type it resolves
 * to). Output bytes follow docs/btf-format.md#what-bpftool-writes exactly.
 */
export function emitBtf(marks: MarkSet, opts: EmitOptions): Uint8Array {
  const { mode, compact, littleEndian } = opts;
  const src = marks.src;
  const kept = marks.keptIds();
  const newId = new Map<number, number>(kept.map((id, i) => [id, i + 1]));
  const writer = new BtfWriter();
  const remap = (id: number): number => {
    if (marks.types.has(id) || !compact) return newId.get(id) ?? 0;
    return newId.get(src.skipModsAndTypedefs(id)) ?? 0;
  };
  for (const id of kept) {
    const kind = src.kind(id);
    let record: ArrayLike<number>;
    if (isComposite(kind)) record = compositeRecord(src, id, marks.members.get(id), writer, remap, mode);
    else if (isEnum(kind) && compact && !marks.wholeEnums.has(id)) {
      record = trimmedEnumRecord(src, id, marks.members.get(id), writer);
    } else record = copiedRecord(src, id, writer, remap);
    checkClassicVlen(src, id, record);
    writer.addRecord(record);
  }
  return writer.toBytes(littleEndian);
}

/** Largest vlen readers before the 24-bit widening (libbpf < 1.7, the kernel's older headers) can count. */
const CLASSIC_MAX_VLEN = 0xffff;

/**
 * What we write must stay readable by every libbpf: a kept record with more than 65,535 elements (an enum kept
 * whole, say) would be misread by readers that take vlen as 16 bits, so it is an error instead.
 */
function checkClassicVlen(src: Btf, id: number, record: ArrayLike<number>): void {
  const vlen = infoVlen(record[1] as number);
  if (vlen <= CLASSIC_MAX_VLEN) return;
  throw new MinimizeError(
    `${src.describe(id)} has vlen ${vlen} in the output; more than ${CLASSIC_MAX_VLEN} cannot be written ` +
      'in a BTF that older libbpf (before 1.7) reads',
    src.place({ typeId: id }),
  );
}

function compositeRecord(
  src: Btf,
  id: number,
  kept: Uint8Array | undefined,
  writer: BtfWriter,
  remap: (id: number) => number,
  mode: MinimizeMode,
): number[] {
  const kind = src.kind(id);
  const words = [writer.addString(src.name(id)), 0, src.size(id)];
  const legacy = !src.kindFlag(id);
  let needsFlag = false;
  let unaligned = false;
  let vlen = 0;
  const n = src.vlen(id);
  for (let i = 0; i < n; i++) {
    if (!kept?.[i]) continue;
    const bitOffset = src.memberBitOffset(id, i);
    const bitSize = src.memberBitfieldSize(id, i);
    const bitfield = bitSize > 0 || bitOffset % 8 !== 0;
    if (bitfield && (bitSize === 0 || bitOffset > MAX_BITFIELD_MEMBER_OFFSET)) {
      if (mode === 'bpftool' || !legacy) {
        throw new MinimizeError(
          `member ${i} '${src.memberName(id, i)}' (bit offset ${bitOffset}, bitfield size ${bitSize}) cannot be emitted`,
          src.place({ typeId: id }),
        );
      }
      unaligned = true;
    }
    if (kind === Kind.UNION && bitOffset !== 0 && mode === 'bpftool') {
      throw new MinimizeError(
        `union member ${i} has non-zero bit offset ${bitOffset}`,
        src.place({ typeId: id }),
      );
    }
    needsFlag ||= bitfield;
    words.push(
      writer.addString(src.memberName(id, i)),
      remap(src.memberType(id, i)),
      packMemberOffset(bitOffset, bitSize),
    );
    vlen++;
  }
  // A legacy (kind_flag 0) struct with unaligned members is kept in its legacy encoding (docs/btfgen.md#fix-10-legacy-bitfields).
  words[1] = packInfo(kind, vlen, needsFlag && !unaligned);
  return words;
}

function trimmedEnumRecord(src: Btf, id: number, kept: Uint8Array | undefined, writer: BtfWriter): number[] {
  const kind = src.kind(id);
  const words = [writer.addString(src.name(id)), 0, src.size(id)];
  const per = kind === Kind.ENUM64 ? 3 : 2;
  const all = src.recordWords(id);
  let vlen = 0;
  for (let i = 0; i < src.vlen(id); i++) {
    if (!kept?.[i]) continue;
    const at = 3 + i * per;
    words.push(writer.addString(src.string(all[at] as number)), ...all.subarray(at + 1, at + per));
    vlen++;
  }
  words[1] = packInfo(kind, vlen, src.kindFlag(id));
  return words;
}

function copiedRecord(src: Btf, id: number, writer: BtfWriter, remap: (id: number) => number): Uint32Array {
  const kind = src.kind(id);
  const layout = KIND_LAYOUTS[kind];
  if (!layout) throw new MinimizeError(`cannot emit ${kindName(kind)}`, src.place({ typeId: id }));
  const words = src.recordWords(id);
  for (let at = 0; at < words.length; at++) {
    const role = wordRole(layout, at);
    const w = words[at] as number;
    if (role === 's') words[at] = writer.addString(src.string(w));
    else if (role === 't') words[at] = remap(w);
  }
  return words;
}
