import { CoreRelocationError, type ErrorPlace, FormatError } from '../errors.js';
import {
  infoKind,
  infoKindFlag,
  infoVlen,
  intBits,
  intEncoding,
  intOffset,
  Kind,
  kindName,
  memberBitfieldSize,
  memberBitOffset,
} from './format.js';
import { type BtfIndex, type IndexBuffer, readBtfIndex } from './parse.js';
import { validateTypes } from './validate.js';

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
  /** Memory to build the record index in, reused from parse to parse (see {@link IndexBuffer}). */
  indexBuffer?: IndexBuffer;
  /**
   * `all` (default): check every type as the kernel would ({@link validateTypes}). `deferred`: check only the layout
   * (what indexing and decoding need, so any access stays in bounds and in range); the per-type checks are left to
   * whoever uses the types ({@link Btf.typesChecked} is false): the minimizer checks the few hundred types it keeps of
   * a kernel's ~100k instead of all of them.
   */
  typeChecks?: 'all' | 'deferred';
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

/** Maximum number of links followed through typedef/modifier chains (parsed BTF has no loops: validation). */
const MAX_CHAIN = 1 << 16;

/**
 * A parsed, validated BTF blob, indexed over its bytes. Types are decoded on demand: the only up-front allocation
 * is one `Uint32Array` of record offsets (about half a megabyte for a 5 MB kernel BTF), plus a host-order copy of
 * the type section when the blob is in the other byte order or not 4-byte aligned.
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
  /** Whether every type passed {@link validateTypes} (see {@link ParseBtfOptions.typeChecks}). */
  readonly typesChecked: boolean;
  private readonly buffer: Buffer;
  /** The type section as host-order words. */
  private readonly words: Uint32Array;
  /** Index in {@link words} of each type's record. */
  private readonly offsets: Uint32Array;
  /** Ids of the named records of the candidate kinds (see {@link BtfIndex.candidateIds}). */
  private readonly candidateIds: Uint32Array;
  /** The keys of their names (see {@link BtfIndex.candidateKeys}). */
  private readonly candidateKeys: Int32Array;
  private readonly typeStart: number;
  private readonly strStart: number;
  private readonly strLen: number;
  private readonly section: string;
  private ptrSize: number | undefined;

  private constructor(bytes: Uint8Array, index: BtfIndex, opts: ParseBtfOptions) {
    this.bytes = bytes;
    this.littleEndian = index.littleEndian;
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.words = index.words;
    this.offsets = index.offsets;
    this.candidateIds = index.candidateIds;
    this.candidateKeys = index.candidateKeys;
    this.typeStart = index.typeStart;
    this.typeCount = index.offsets.length;
    this.strStart = index.strStart;
    this.strLen = index.strLen;
    this.file = opts.file;
    this.section = opts.section ?? '.BTF';
    this.ptrSize = opts.pointerSize;
    this.typesChecked = opts.typeChecks !== 'deferred';
  }

  /**
   * Parse and validate a raw BTF blob: its layout (docs/btf-format.md#validation-on-parse), then (unless
   * {@link ParseBtfOptions.typeChecks} defers them) what the kernel and libbpf check of each type
   * ({@link validateTypes}). Throws {@link FormatError} naming the place of any defect.
   */
  static parse(bytes: Uint8Array, opts: ParseBtfOptions = {}): Btf {
    const btf = new Btf(bytes, readBtfIndex(bytes, opts), opts);
    if (btf.typesChecked) validateTypes(btf);
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
    return this.words[(off as number) + index] as number;
  }

  /** Byte offset of type `id`'s record inside {@link bytes}. */
  recordOffset(id: number): number {
    this.checkId(id);
    if (id === 0) throw new FormatError('type id 0 (void) has no record', this.place());
    return this.typeStart + 4 * (this.offsets[id] as number);
  }

  /** Kind number of type `id` (0 for void). */
  kind(id: number): number {
    return infoKind(this.word(id, 1));
  }

  /** vlen of type `id`: element count, or linkage for FUNC. */
  vlen(id: number): number {
    return infoVlen(this.word(id, 1));
  }

  /** kind_flag of type `id`. */
  kindFlag(id: number): boolean {
    return infoKindFlag(this.word(id, 1));
  }

  /** String offset of the name of type `id`. */
  nameOff(id: number): number {
    return this.word(id, 0);
  }

  /** Name of type `id` ("" when anonymous). */
  name(id: number): string {
    return this.string(this.word(id, 0));
  }

  /** Referenced type of a PTR, TYPEDEF, modifier, FUNC, VAR or tag (the size_or_type word, as {@link size}). */
  type(id: number): number {
    return this.word(id, 2);
  }

  /** Byte size of an INT, STRUCT, UNION, ENUM, ENUM64, FLOAT or DATASEC. */
  size(id: number): number {
    return this.word(id, 2);
  }

  /** INT encoding bits (SIGNED=1, CHAR=2, BOOL=4). */
  intEncoding(id: number): number {
    return intEncoding(this.word(id, 3));
  }

  /** INT bit offset inside its storage (non-zero only for legacy bitfield ints). */
  intOffset(id: number): number {
    return intOffset(this.word(id, 3));
  }

  /** INT number of value bits. */
  intBits(id: number): number {
    return intBits(this.word(id, 3));
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

  /** STRUCT/UNION member `i`: bit offset from the start of the composite (docs/btf-format.md#member-offsets-and-bitfields). */
  memberBitOffset(id: number, i: number): number {
    return memberBitOffset(this.word(id, 5 + i * 3), this.kindFlag(id));
  }

  /** STRUCT/UNION member `i`: bitfield size in bits, 0 when not a bitfield. */
  memberBitfieldSize(id: number, i: number): number {
    return memberBitfieldSize(this.word(id, 5 + i * 3), this.kindFlag(id));
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

  /** FUNC_PROTO param `i`: its type id (0 with name 0 on the last param = variadic). */
  paramType(id: number, i: number): number {
    return this.word(id, 4 + i * 2);
  }

  /** Number of 32-bit words in the record of type `id` (header included): records tile the type section. */
  recordWordCount(id: number): number {
    if (id === 0) throw new FormatError('type id 0 (void) has no record', this.place());
    this.checkId(id);
    const end = id + 1 < this.typeCount ? (this.offsets[id + 1] as number) : this.words.length;
    return end - (this.offsets[id] as number);
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
    const start = this.stringStart(off);
    return this.buffer.toString('latin1', start, this.bytes.indexOf(0, start));
  }

  /**
   * Index in {@link bytes} of the first byte of the (NUL-terminated) string at offset `off`; throws FormatError
   * when `off` is beyond the string section.
   */
  stringStart(off: number): number {
    if (!this.isValidStringOffset(off)) {
      throw new FormatError(
        `string offset ${off} is beyond the string section (${this.strLen} bytes)`,
        this.place(),
      );
    }
    return this.strStart + off;
  }

  /**
   * Whether the string at offset `off` is `s` (a latin1 JS string), compared on the bytes without decoding: the
   * member and enumerator searches of CO-RE matching compare one name against every member of a kernel struct.
   */
  stringEquals(off: number, s: string): boolean {
    const start = this.stringStart(off);
    return latin1At(this.bytes, start, s) && this.bytes[start + s.length] === 0;
  }

  /**
   * The raw index, for passes over every type that cannot afford a method call per type (the candidate scan):
   * record `id` starts at `words[offsets[id]]` (words in host order: name offset, info, size/type, ...), and a
   * name offset `o` is the NUL-terminated string at `bytes[strStart + o]`; `candidateIds` lists the ids of the
   * named records of the kinds in `CANDIDATE_KINDS` (btf/parse.ts), ascending, and `candidateKeys` the
   * `essentialNameHash` of each one's name. Read only.
   */
  typeTable(): {
    words: Uint32Array;
    offsets: Uint32Array;
    candidateIds: Uint32Array;
    candidateKeys: Int32Array;
    bytes: Uint8Array;
    strStart: number;
  } {
    const { words, offsets, candidateIds, candidateKeys, bytes, strStart } = this;
    return { words, offsets, candidateIds, candidateKeys, bytes, strStart };
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
    // Loops were refused by validation: this is depth (libbpf would walk on; we stop).
    throw new FormatError(
      `typedef/modifier chain longer than ${MAX_CHAIN} links`,
      this.place({ typeId: id }),
    );
  }

  /** Follow only modifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG), not typedefs. */
  skipMods(id: number): number {
    for (let n = 0; n < MAX_CHAIN; n++) {
      if (!isMod(this.kind(id))) return id;
      id = this.type(id);
    }
    throw new FormatError(`modifier chain longer than ${MAX_CHAIN} links`, this.place({ typeId: id }));
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

  /** libbpf btf__resolve_size: byte size of type `id`, following typedefs, modifiers and arrays; throws {@link sizeOf}'s error. */
  resolveSize(id: number): number {
    const size = this.sizeOf(id);
    if (size instanceof CoreRelocationError) throw size;
    return size;
  }

  /**
   * libbpf btf__resolve_size as a value: the byte size of type `id` (following typedefs, modifiers and arrays), or
   * the CoreRelocationError libbpf fails with (a kind without a size, a chain too deep, a size beyond 32 bits).
   */
  sizeOf(id: number): number | CoreRelocationError {
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
            return new CoreRelocationError('array size overflows 32 bits', this.place({ typeId: id }));
          }
          nelems *= n;
          id = this.arrayType(id);
          break;
        }
        default:
          return new CoreRelocationError(
            `cannot size type of kind ${kindName(k)}`,
            this.place({ typeId: id }),
          );
      }
    }
    if (size < 0) return new CoreRelocationError('type chain too deep to size', this.place({ typeId: id }));
    const total = nelems * size;
    if (total > 0xffffffff)
      return new CoreRelocationError('type size overflows 32 bits', this.place({ typeId: id }));
    return total;
  }

  /** Human description of type `id`, e.g. `[12] STRUCT 'task_struct'`. */
  describe(id: number): string {
    if (id === 0) return '[0] void';
    return `[${id}] ${kindName(this.kind(id))} '${this.name(id)}'`;
  }
}

/** Whether the `s.length` bytes at `bytes[start]` are the latin1 characters of `s`. */
export function latin1At(bytes: Uint8Array, start: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (bytes[start + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Whether `kind` is CONST, VOLATILE, RESTRICT or TYPE_TAG (libbpf btf_is_mod). */
function isMod(kind: number): boolean {
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
