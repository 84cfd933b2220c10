import { type ErrorPlace, FormatError } from '../errors.js';
import {
  BTF_HEADER_LEN,
  BTF_LAYOUT_HEADER_LEN,
  BTF_MAGIC,
  KIND_LAYOUTS,
  Kind,
  kindName,
  TYPE_HEADER_LEN,
  vlenCountsElements,
  type WordRole,
} from './format.js';

/** Record sizes of kinds we do not know, from an optional kind-layout section (spec §1.2). */
export interface ForeignKindLayout {
  infoSize: number;
  elemSize: number;
}

/**
 * Read the byte-level index of a raw BTF blob and validate it (spec §1.9): header, string section, the record
 * walk (sizes, known kinds), then every string offset and type id of every record. Throws a {@link FormatError}
 * naming the place of the first defect.
 */
export function readBtfIndex(bytes: Uint8Array, opts: { file?: string; section?: string }): BtfIndex {
  const at = errorFactory(opts);
  const index = indexBtf(bytes, at);
  validateRecords(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), index, at);
  return index;
}

type ErrorAt = (detail: string, extra?: ErrorPlace) => FormatError;

function errorFactory(opts: { file?: string; section?: string }): ErrorAt {
  return (detail, extra = {}) => {
    const place: ErrorPlace = { section: opts.section ?? '.BTF', ...extra };
    if (opts.file !== undefined) place.file = opts.file;
    return new FormatError(detail, place);
  };
}

/** The byte-level index of a BTF blob: everything {@link Btf} needs besides the bytes. */
export interface BtfIndex {
  littleEndian: boolean;
  offsets: Uint32Array;
  strStart: number;
  strLen: number;
  foreign: Map<number, ForeignKindLayout>;
}

function indexBtf(bytes: Uint8Array, at: ErrorAt): BtfIndex {
  if (bytes.length < BTF_HEADER_LEN)
    throw at(`BTF is ${bytes.length} bytes, shorter than its 24-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (view.getUint16(0, true) === BTF_MAGIC) le = true;
  else if (view.getUint16(0, false) === BTF_MAGIC) le = false;
  else {
    const got = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw at(`not BTF: bad magic (bytes ${got})`, { offset: 0 });
  }
  const u32 = (off: number) => view.getUint32(off, le);
  const hdrLen = u32(4);
  const typeOff = u32(8);
  const typeLen = u32(12);
  const strOff = u32(16);
  const strLen = u32(20);
  if (hdrLen < BTF_HEADER_LEN || hdrLen > bytes.length) {
    throw at(`header length ${hdrLen} is invalid for a ${bytes.length}-byte blob`, { offset: 4 });
  }
  const dataLen = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) throw at(`type section offset ${typeOff} is not 4-byte aligned`, { offset: 8 });
  if (strOff + strLen > dataLen || strOff > dataLen) {
    throw at(`string section (offset ${strOff}, ${strLen} bytes) runs past the end of the data`, {
      offset: 16,
    });
  }
  if (typeOff + typeLen > strOff) {
    throw at(`type section (offset ${typeOff}, ${typeLen} bytes) overlaps the string section`, { offset: 8 });
  }
  const foreignLayouts = new Map<number, ForeignKindLayout>();
  if (hdrLen >= BTF_LAYOUT_HEADER_LEN) {
    readLayoutSection(view, le, hdrLen, typeOff + typeLen, strOff, foreignLayouts, at);
  }
  const strStart = hdrLen + strOff;
  if (strLen === 0) throw at('string section is empty', { section: 'string section' });
  if (bytes[strStart] !== 0)
    throw at('string section does not start with NUL', { section: 'string section' });
  if (bytes[strStart + strLen - 1] !== 0) {
    throw at('string section does not end with NUL', { section: 'string section', offset: strLen - 1 });
  }

  const typeStart = hdrLen + typeOff;
  const typeEnd = typeStart + typeLen;
  const offsets = new Uint32Array(Math.floor(typeLen / TYPE_HEADER_LEN) + 1);
  let count = 1;
  for (let pos = typeStart; pos < typeEnd; count++) {
    const id = count;
    if (pos + TYPE_HEADER_LEN > typeEnd) {
      throw at(`type record header runs past the end of the type section`, {
        offset: pos - typeStart,
        typeId: id,
      });
    }
    const info = u32(pos + 4);
    const kind = (info >>> 24) & 0x7f;
    const vlen = vlenCountsElements(kind) ? info & 0xffffff : 0;
    const layout = KIND_LAYOUTS[kind];
    let size: number;
    if (layout) size = 4 * (3 + layout.info.length + vlen * layout.element.length);
    else {
      const foreign = foreignLayouts.get(kind);
      if (!foreign || kind === Kind.UNKN) {
        throw at(`unsupported BTF kind ${kind}`, { offset: pos - typeStart, typeId: id });
      }
      size = TYPE_HEADER_LEN + foreign.infoSize + vlen * foreign.elemSize;
    }
    if (pos + size > typeEnd) {
      throw at(
        `${kindName(kind)} record with vlen ${vlen} (${size} bytes) runs past the end of the type section`,
        {
          offset: pos - typeStart,
          typeId: id,
        },
      );
    }
    offsets[id] = pos;
    pos += size;
  }
  return { littleEndian: le, offsets: offsets.slice(0, count), strStart, strLen, foreign: foreignLayouts };
}

function readLayoutSection(
  view: DataView,
  le: boolean,
  hdrLen: number,
  typeEnd: number,
  strOff: number,
  out: Map<number, ForeignKindLayout>,
  at: ErrorAt,
): void {
  const layoutOff = view.getUint32(24, le);
  const layoutLen = view.getUint32(28, le);
  if (layoutLen === 0) return;
  if (layoutOff % 4 !== 0 || layoutLen % 4 !== 0 || layoutOff < typeEnd || layoutOff + layoutLen > strOff) {
    throw at(`kind layout section (offset ${layoutOff}, ${layoutLen} bytes) is misplaced`, { offset: 24 });
  }
  for (let kind = 0; kind < layoutLen / 4; kind++) {
    if (KIND_LAYOUTS[kind] || kind === Kind.UNKN) continue;
    const base = hdrLen + layoutOff + kind * 4;
    const infoSize = view.getUint8(base);
    const elemSize = view.getUint8(base + 1);
    if (infoSize % 4 !== 0 || elemSize % 4 !== 0) {
      throw at(`kind layout entry for kind ${kind} has unaligned sizes`, {
        section: 'kind layout',
        offset: kind * 4,
      });
    }
    out.set(kind, { infoSize, elemSize });
  }
}

const ROLE_NAMES: Record<WordRole, string> = { s: 'string offset', t: 'type id', '-': 'value' };

const ROLE_VALUE = 0;
const ROLE_STRING = 1;
const ROLE_TYPE = 2;
const ROLE_CODE: Record<WordRole, number> = { '-': ROLE_VALUE, s: ROLE_STRING, t: ROLE_TYPE };
const ROLE_OF_CODE: readonly WordRole[] = ['-', 's', 't'];

/** Per known kind, the role codes of the fixed words (header + single trailing object) and of each element. */
const FIXED_ROLES: readonly (Uint8Array | undefined)[] = KIND_LAYOUTS.map(
  (l) => l && Uint8Array.from([...l.header, ...l.info], (r) => ROLE_CODE[r]),
);
const ELEMENT_ROLES: readonly (Uint8Array | undefined)[] = KIND_LAYOUTS.map(
  (l) => l && Uint8Array.from(l.element, (r) => ROLE_CODE[r]),
);

/**
 * Check every string offset and type id of every known-kind record, and that FUNCs refer to FUNC_PROTOs. A tight
 * loop over the words (no per-record closures or decoding): this runs over every record of every kernel.
 */
function validateRecords(view: DataView, index: BtfIndex, at: ErrorAt): void {
  const { offsets, strLen, littleEndian: le } = index;
  const typeCount = offsets.length;
  for (let id = 1; id < typeCount; id++) {
    const base = offsets[id] as number;
    const info = view.getUint32(base + 4, le);
    const kind = (info >>> 24) & 0x7f;
    const fixed = FIXED_ROLES[kind];
    if (fixed === undefined) continue; // foreign kind: sized by the layout section, contents opaque
    const nFixed = fixed.length;
    for (let i = 0; i < nFixed; i++) {
      const role = fixed[i] as number;
      if (role === ROLE_VALUE) continue;
      const value = view.getUint32(base + i * 4, le);
      if (role === ROLE_STRING ? value < strLen : value < typeCount) continue;
      throw badWord(at, id, kind, role, i, -1, value, typeCount);
    }
    if (kind === Kind.FUNC) {
      const target = view.getUint32(base + 8, le);
      const targetKind =
        target === 0 ? Kind.UNKN : (view.getUint32((offsets[target] as number) + 4, le) >>> 24) & 0x7f;
      if (targetKind !== Kind.FUNC_PROTO) {
        throw at(`FUNC refers to type id ${target}, which is not a FUNC_PROTO`, { typeId: id });
      }
      continue; // FUNC's vlen is its linkage, not an element count
    }
    const element = ELEMENT_ROLES[kind] as Uint8Array;
    const nElem = element.length;
    const vlen = info & 0xffffff;
    if (nElem === 0 || vlen === 0) continue;
    let pos = base + nFixed * 4;
    for (let e = 0; e < vlen; e++) {
      for (let j = 0; j < nElem; j++, pos += 4) {
        const role = element[j] as number;
        if (role === ROLE_VALUE) continue;
        const value = view.getUint32(pos, le);
        if (role === ROLE_STRING ? value < strLen : value < typeCount) continue;
        throw badWord(at, id, kind, role, (pos - base) / 4, e, value, typeCount);
      }
    }
  }
}

/** The FormatError for word `index` (of element `element`, -1 for none) of record `id` holding a bad `value`. */
function badWord(
  at: ErrorAt,
  id: number,
  kind: number,
  roleCode: number,
  index: number,
  element: number,
  value: number,
  typeCount: number,
): FormatError {
  const role = ROLE_OF_CODE[roleCode] as WordRole;
  const what = element >= 0 ? `element ${element}` : index === 0 ? 'name' : index < 3 ? 'type' : 'data';
  const beyond = role === 's' ? 'beyond the string section' : `beyond the last type id ${typeCount - 1}`;
  return at(`${kindName(kind)} ${what} has ${ROLE_NAMES[role]} ${value} ${beyond}`, { typeId: id });
}
