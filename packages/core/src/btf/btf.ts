import { CoreRelocationError, type ErrorPlace, FormatError } from '../errors.js';
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

/** Options for {@link Btf.parse}. */
export interface ParseBtfOptions {
  /** File name used in error messages. */
  file?: string;
  /** Section name used in error messages (default ".BTF"). */
  section?: string;
  /**
   * Pointer size of the target, when known from a container (ELF class). When absent it is guessed the way
   * libbpf does: from an INT named like `long`, falling back to 8.
   */
  pointerSize?: number;
}

/** Record sizes of kinds we do not know, from an optional kind-layout section (spec §1.2). */
interface ForeignKindLayout {
  infoSize: number;
  elemSize: number;
}

const LONG_NAMES = new Set([
  'long',
  'long int',
  'int long',
  'unsigned long',
  'long unsigned',
  'unsigned long int',
  'unsigned int long',
  'long unsigned int',
  'long int unsigned',
  'int unsigned long',
  'int long unsigned',
]);

/** Maximum number of links followed through typedef/modifier chains before a loop is reported. */
const MAX_CHAIN = 1 << 16;

/**
 * A parsed, validated BTF blob, indexed over its bytes. Types are decoded on demand: the only up-front allocation
 * is one `Uint32Array` of record offsets, so a 5 MB kernel BTF costs about half a megabyte of index.
 * Type id 0 is `void` (kind UNKN, no name). Names are byte strings decoded as latin1, so comparing two JS strings
 * compares the underlying bytes exactly.
 */
export class Btf {
  /** The whole blob. */
  readonly bytes: Uint8Array;
  /** Byte order of the blob. */
  readonly littleEndian: boolean;
  /** 1 + the number of type records: valid ids are 0 .. typeCount-1. */
  readonly typeCount: number;
  /** File name for messages, if known. */
  readonly file: string | undefined;
  /** DataView over {@link bytes}. */
  readonly view: DataView;
  private readonly buffer: Buffer;
  private readonly offsets: Uint32Array;
  private readonly strStart: number;
  private readonly strLen: number;
  private readonly foreignLayouts: Map<number, ForeignKindLayout>;
  private readonly section: string;
  private ptrSize: number | undefined;

  private constructor(
    bytes: Uint8Array,
    littleEndian: boolean,
    offsets: Uint32Array,
    strStart: number,
    strLen: number,
    foreignLayouts: Map<number, ForeignKindLayout>,
    opts: ParseBtfOptions,
  ) {
    this.bytes = bytes;
    this.littleEndian = littleEndian;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offsets = offsets;
    this.typeCount = offsets.length;
    this.strStart = strStart;
    this.strLen = strLen;
    this.foreignLayouts = foreignLayouts;
    this.file = opts.file;
    this.section = opts.section ?? '.BTF';
    this.ptrSize = opts.pointerSize;
  }

  /** Parse and validate a raw BTF blob (spec §1.9). Throws {@link FormatError} naming the place of any defect. */
  static parse(bytes: Uint8Array, opts: ParseBtfOptions = {}): Btf {
    const at = errorFactory(opts);
    const index = indexBtf(bytes, at);
    const btf = new Btf(
      bytes,
      index.littleEndian,
      index.offsets,
      index.strStart,
      index.strLen,
      index.foreign,
      opts,
    );
    validateRecords(btf, index, at);
    return btf;
  }

  /** An {@link ErrorPlace} inside this BTF. */
  place(extra: ErrorPlace = {}): ErrorPlace {
    const place: ErrorPlace = { section: this.section, ...extra };
    if (this.file !== undefined) place.file = this.file;
    return place;
  }

  /** Throw a FormatError unless `id` is a valid type id. */
  checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.typeCount) {
      throw new FormatError(
        `type id ${id} is out of range (last type id is ${this.typeCount - 1})`,
        this.place(),
      );
    }
  }

  private word(id: number, index: number): number {
    if (id === 0) return 0;
    const off = this.offsets[id];
    if (off === undefined || id < 0) this.checkId(id);
    return this.view.getUint32((off as number) + index * 4, this.littleEndian);
  }

  /** Byte offset of type `id`'s record inside {@link bytes}. */
  recordOffset(id: number): number {
    this.checkId(id);
    if (id === 0) throw new FormatError('type id 0 (void) has no record', this.place());
    return this.offsets[id] as number;
  }

  /** Kind number of type `id` (0 for void). */
  kind(id: number): number {
    return (this.word(id, 1) >>> 24) & 0x7f;
  }

  /** vlen of type `id`: element count, or linkage for FUNC. */
  vlen(id: number): number {
    return this.word(id, 1) & 0xffffff;
  }

  /** kind_flag of type `id`. */
  kindFlag(id: number): boolean {
    return this.word(id, 1) >>> 31 === 1;
  }

  /** The raw info word of type `id`. */
  info(id: number): number {
    return this.word(id, 1);
  }

  /** String offset of the name of type `id`. */
  nameOff(id: number): number {
    return this.word(id, 0);
  }

  /** Name of type `id` ("" when anonymous). */
  name(id: number): string {
    return this.string(this.word(id, 0));
  }

  /** The size_or_type word: a byte size (INT, STRUCT, ...) or a type id (PTR, TYPEDEF, ...). */
  sizeOrType(id: number): number {
    return this.word(id, 2);
  }

  /** Referenced type of a PTR, TYPEDEF, modifier, FUNC, VAR or tag (same word as {@link sizeOrType}). */
  type(id: number): number {
    return this.word(id, 2);
  }

  /** Byte size of an INT, STRUCT, UNION, ENUM, ENUM64, FLOAT or DATASEC. */
  size(id: number): number {
    return this.word(id, 2);
  }

  /** The INT data word (bits 0-7 nr_bits, 16-23 offset, 24-27 encoding). */
  intData(id: number): number {
    return this.word(id, 3);
  }

  /** INT encoding bits (SIGNED=1, CHAR=2, BOOL=4). */
  intEncoding(id: number): number {
    return (this.word(id, 3) >>> 24) & 0x0f;
  }

  /** INT bit offset inside its storage (non-zero only for legacy bitfield ints). */
  intOffset(id: number): number {
    return (this.word(id, 3) >>> 16) & 0xff;
  }

  /** INT number of value bits. */
  intBits(id: number): number {
    return this.word(id, 3) & 0xff;
  }

  /** ARRAY element type id. */
  arrayType(id: number): number {
    return this.word(id, 3);
  }

  /** ARRAY index type id. */
  arrayIndexType(id: number): number {
    return this.word(id, 4);
  }

  /** ARRAY number of elements (0 for flexible / zero-length arrays). */
  arrayNelems(id: number): number {
    return this.word(id, 5);
  }

  /** STRUCT/UNION member `i`: string offset of its name. */
  memberNameOff(id: number, i: number): number {
    return this.word(id, 3 + i * 3);
  }

  /** STRUCT/UNION member `i`: its name ("" when anonymous). */
  memberName(id: number, i: number): string {
    return this.string(this.word(id, 3 + i * 3));
  }

  /** STRUCT/UNION member `i`: its type id. */
  memberType(id: number, i: number): number {
    return this.word(id, 4 + i * 3);
  }

  /** STRUCT/UNION member `i`: the raw offset word. */
  memberOffsetWord(id: number, i: number): number {
    return this.word(id, 5 + i * 3);
  }

  /** STRUCT/UNION member `i`: bit offset from the start of the composite (spec §1.6). */
  memberBitOffset(id: number, i: number): number {
    const w = this.word(id, 5 + i * 3);
    return this.kindFlag(id) ? w & 0xffffff : w;
  }

  /** STRUCT/UNION member `i`: bitfield size in bits, 0 when not a bitfield. */
  memberBitfieldSize(id: number, i: number): number {
    return this.kindFlag(id) ? this.word(id, 5 + i * 3) >>> 24 : 0;
  }

  /** ENUM/ENUM64 enumerator `i`: string offset of its name. */
  enumNameOff(id: number, i: number): number {
    return this.word(id, 3 + i * (this.kind(id) === Kind.ENUM64 ? 3 : 2));
  }

  /** ENUM/ENUM64 enumerator `i`: its name. */
  enumName(id: number, i: number): string {
    return this.string(this.enumNameOff(id, i));
  }

  /**
   * ENUM/ENUM64 enumerator `i`: its value. ENUM values are the stored s32 sign-extended (as libbpf reports them);
   * ENUM64 values are unsigned 64-bit unless the type's kind_flag marks it signed.
   */
  enumValue(id: number, i: number): bigint {
    if (this.kind(id) === Kind.ENUM64) {
      const lo = BigInt(this.word(id, 4 + i * 3));
      const hi = BigInt(this.word(id, 5 + i * 3));
      const u = (hi << 32n) | lo;
      return this.kindFlag(id) ? BigInt.asIntN(64, u) : u;
    }
    return BigInt(this.word(id, 4 + i * 2) | 0);
  }

  /** FUNC_PROTO param `i`: string offset of its name. */
  paramNameOff(id: number, i: number): number {
    return this.word(id, 3 + i * 2);
  }

  /** FUNC_PROTO param `i`: its type id (0 with name 0 on the last param = variadic). */
  paramType(id: number, i: number): number {
    return this.word(id, 4 + i * 2);
  }

  /** Number of 32-bit words in the record of type `id` (header included). */
  recordWordCount(id: number): number {
    const kind = this.kind(id);
    const vlen = vlenCountsElements(kind) ? this.vlen(id) : 0;
    const layout = KIND_LAYOUTS[kind];
    if (layout) return 3 + layout.info.length + vlen * layout.element.length;
    const foreign = this.foreignLayouts.get(kind);
    if (!foreign) throw new FormatError(`unsupported BTF kind ${kind}`, this.place({ typeId: id }));
    return 3 + (foreign.infoSize + vlen * foreign.elemSize) / 4;
  }

  /** A copy of the record of type `id` as 32-bit words in host order. */
  recordWords(id: number): Uint32Array {
    const n = this.recordWordCount(id);
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.word(id, i);
    return out;
  }

  /** The string at offset `off` of the string section (latin1-decoded bytes up to the next NUL). */
  string(off: number): string {
    if (off === 0) return '';
    if (off >= this.strLen || off < 0) {
      throw new FormatError(
        `string offset ${off} is beyond the string section (${this.strLen} bytes)`,
        this.place(),
      );
    }
    const start = this.strStart + off;
    return this.buffer.toString('latin1', start, this.bytes.indexOf(0, start));
  }

  /** Index in {@link bytes} of the first byte of the string at offset `off` (a valid string offset). */
  stringStart(off: number): number {
    return this.strStart + off;
  }

  /**
   * Ids (ascending) and name offsets of the named types whose kind is `a` or `b`, in one tight pass over the record
   * headers (nothing decoded).
   */
  namedTypesOfKinds(a: number, b: number): { ids: Uint32Array; nameOffs: Uint32Array } {
    const { offsets, view, littleEndian: le } = this;
    let ids = new Uint32Array(1024);
    let nameOffs = new Uint32Array(1024);
    let n = 0;
    for (let id = 1; id < offsets.length; id++) {
      const off = offsets[id] as number;
      const kind = (view.getUint32(off + 4, le) >>> 24) & 0x7f;
      if (kind !== a && kind !== b) continue;
      const nameOff = view.getUint32(off, le);
      if (nameOff === 0) continue;
      if (n === ids.length) {
        const grownIds = new Uint32Array(n * 2);
        grownIds.set(ids);
        ids = grownIds;
        const grownNames = new Uint32Array(n * 2);
        grownNames.set(nameOffs);
        nameOffs = grownNames;
      }
      ids[n] = id;
      nameOffs[n] = nameOff;
      n++;
    }
    return { ids: ids.slice(0, n), nameOffs: nameOffs.slice(0, n) };
  }

  /** Whether `off` is a valid offset into the string section. */
  isValidStringOffset(off: number): boolean {
    return off >= 0 && off < this.strLen;
  }

  /** Follow TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG links from `id` (libbpf skip_mods_and_typedefs). */
  skipModsAndTypedefs(id: number): number {
    for (let n = 0; n < MAX_CHAIN; n++) {
      const k = this.kind(id);
      if (!isModOrTypedef(k)) return id;
      id = this.type(id);
    }
    throw new FormatError('reference cycle through typedef/modifier types', this.place({ typeId: id }));
  }

  /** Follow only modifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG), not typedefs. */
  skipMods(id: number): number {
    for (let n = 0; n < MAX_CHAIN; n++) {
      if (!isMod(this.kind(id))) return id;
      id = this.type(id);
    }
    throw new FormatError('reference cycle through modifier types', this.place({ typeId: id }));
  }

  /**
   * Pointer size of the target: from the container when known, else libbpf's guess (an INT of size 4 or 8 named
   * like `long`), else 8.
   */
  pointerSize(): number {
    if (this.ptrSize === undefined) this.ptrSize = this.guessPointerSize() ?? 8;
    return this.ptrSize;
  }

  /** libbpf's pointer size heuristic: size of the first INT named like `long`, or undefined if there is none. */
  guessPointerSize(): number | undefined {
    const id = this.firstLongInt();
    return id === undefined ? undefined : this.size(id);
  }

  /** Id of the first INT of size 4 or 8 named like `long` (what libbpf's pointer size guess looks at). */
  firstLongInt(): number | undefined {
    for (let id = 1; id < this.typeCount; id++) {
      if (this.kind(id) !== Kind.INT) continue;
      const size = this.size(id);
      if ((size === 4 || size === 8) && LONG_NAMES.has(this.name(id))) return id;
    }
    return undefined;
  }

  /** libbpf btf__resolve_size: byte size of type `id`, following typedefs, modifiers and arrays. */
  resolveSize(id: number): number {
    let nelems = 1;
    let size = -1;
    for (let depth = 0; depth < 32 && size < 0; depth++) {
      const k = this.kind(id);
      switch (k) {
        case Kind.INT:
        case Kind.STRUCT:
        case Kind.UNION:
        case Kind.ENUM:
        case Kind.ENUM64:
        case Kind.DATASEC:
        case Kind.FLOAT:
          size = this.size(id);
          break;
        case Kind.PTR:
          size = this.pointerSize();
          break;
        case Kind.TYPEDEF:
        case Kind.VOLATILE:
        case Kind.CONST:
        case Kind.RESTRICT:
        case Kind.VAR:
        case Kind.DECL_TAG:
        case Kind.TYPE_TAG:
          id = this.type(id);
          break;
        case Kind.ARRAY: {
          const n = this.arrayNelems(id);
          if (nelems !== 0 && n > Math.floor(0xffffffff / nelems)) {
            throw new CoreRelocationError('array size overflows 32 bits', this.place({ typeId: id }));
          }
          nelems *= n;
          id = this.arrayType(id);
          break;
        }
        default:
          throw new CoreRelocationError(
            `cannot size type of kind ${kindName(k)}`,
            this.place({ typeId: id }),
          );
      }
    }
    if (size < 0) throw new CoreRelocationError('type chain too deep to size', this.place({ typeId: id }));
    const total = nelems * size;
    if (total > 0xffffffff)
      throw new CoreRelocationError('type size overflows 32 bits', this.place({ typeId: id }));
    return total;
  }

  /** Human description of type `id`, e.g. `[12] STRUCT 'task_struct'`. */
  describe(id: number): string {
    if (id === 0) return '[0] void';
    return `[${id}] ${kindName(this.kind(id))} '${this.name(id)}'`;
  }
}

/** Whether `kind` is CONST, VOLATILE, RESTRICT or TYPE_TAG (libbpf btf_is_mod). */
export function isMod(kind: number): boolean {
  return kind === Kind.CONST || kind === Kind.VOLATILE || kind === Kind.RESTRICT || kind === Kind.TYPE_TAG;
}

/** Whether `kind` is a modifier or TYPEDEF. */
export function isModOrTypedef(kind: number): boolean {
  return kind === Kind.TYPEDEF || isMod(kind);
}

/** Whether `kind` is STRUCT or UNION. */
export function isComposite(kind: number): boolean {
  return kind === Kind.STRUCT || kind === Kind.UNION;
}

/** Whether `kind` is ENUM or ENUM64. */
export function isEnum(kind: number): boolean {
  return kind === Kind.ENUM || kind === Kind.ENUM64;
}

/** libbpf btf_kind_core_compat: same kind, or both enums. */
export function kindCoreCompat(a: number, b: number): boolean {
  return a === b || (isEnum(a) && isEnum(b));
}

type ErrorAt = (detail: string, extra?: ErrorPlace) => FormatError;

function errorFactory(opts: ParseBtfOptions): ErrorAt {
  return (detail, extra = {}) => {
    const place: ErrorPlace = { section: opts.section ?? '.BTF', ...extra };
    if (opts.file !== undefined) place.file = opts.file;
    return new FormatError(detail, place);
  };
}

/** The byte-level index of a BTF blob: everything {@link Btf} needs besides the bytes. */
interface BtfIndex {
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
function validateRecords(btf: Btf, index: BtfIndex, at: ErrorAt): void {
  const { offsets, strLen, littleEndian: le } = index;
  const view = btf.view;
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
