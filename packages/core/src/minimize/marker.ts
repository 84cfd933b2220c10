import { type Btf, isComposite, isModOrTypedef } from '../btf/btf.js';
import { Kind, kindName, ReloKind, reloClass } from '../btf/format.js';
import { MinimizeError } from '../errors.js';
import type { CoreSpec } from '../relo/spec.js';
import type { MinimizeMode } from './minimize.js';

/**
 * The set of source types and members kept in the output (docs/btfgen.md#marks). Marks only ever grow; they are shared by
 * every object of one minimization.
 */
export class MarkSet {
  /**
   * The kept source type ids. Sets and maps rather than arrays over every source type: a few hundred of a
   * kernel's ~100k types are marked, and zero-filling per-type arrays for every kernel costs more than the marking.
   */
  readonly types = new Set<number>();
  /** Per kept composite: 1 where the member is kept; per kept enum: 1 where the enumerator is kept. */
  readonly members = new Map<number, Uint8Array>();
  /** Enums that must keep all their enumerators (TYPE_MATCHES compares them). */
  readonly wholeEnums = new Set<number>();
  /**
   * The first types of the typedef/modifier chains compaction skips below relocation roots: not kept, but used on
   * the way to kept types, so checked like them (see {@link checkedIds}).
   */
  readonly skippedChains = new Set<number>();

  constructor(readonly src: Btf) {}

  /** Keep type `id`. */
  keep(id: number): void {
    this.types.add(id);
  }

  /** The kept type ids, ascending (the output's type order). */
  keptIds(): number[] {
    return [...this.types].sort((a, b) => a - b);
  }

  /**
   * The ids a kernel's deferred type checks must pass, ascending: the kept ones and the chains skipped on the way
   * to them, so that compaction never lets a kernel through that keeping its chains would refuse.
   */
  checkedIds(): number[] {
    return [...new Set([...this.types, ...this.skippedChains])].sort((a, b) => a - b);
  }

  /** Keep member (or enumerator) `idx` of composite (or enum) `id`. */
  markMember(id: number, idx: number): void {
    let bits = this.members.get(id);
    if (!bits) {
      bits = new Uint8Array(this.src.vlen(id));
      this.members.set(id, bits);
    }
    bits[idx] = 1;
  }
}

/**
 * Marks what each relocation's target spec needs (docs/btfgen.md#marking-by-relocation-kind). In `bpftool` mode it reproduces bpftool's
 * marking exactly, including its unsupported-kind errors; in `robust` mode it applies the fixes of docs/btfgen.md#robust-mode-fixes:
 * TYPE_TAG followed and FWD kept as a leaf (#5), flexible-array status preserved (#7), TYPE_MATCHES keeps the
 * behind-pointer flag through function prototypes (#8). Both modes memoize, so hostile cycles cannot hang.
 * Enumerators are recorded as they are used (matched by an enum-value relocation, or compared by TYPE_MATCHES),
 * so the emitter can trim the others (docs/btfgen.md#compaction).
 */
export class Marker {
  /** Per type: bit 1 when marked without following pointers, bit 2 with (markType's memo). */
  private readonly followed = new Map<number, number>();
  /** Per type: bit 1 when matched in front of a pointer, bit 2 behind one (TYPE_MATCHES marking's memo). */
  private readonly matched = new Map<number, number>();

  constructor(
    readonly marks: MarkSet,
    readonly mode: MinimizeMode,
    /** Skip typedef/modifier chains below relocation roots (docs/btfgen.md#compaction; the emitter redirects references). */
    readonly compact = false,
  ) {}

  private get src(): Btf {
    return this.marks.src;
  }

  /** The type a reference below a root needs: itself, or when compacting, what its typedef/modifier chain names. */
  private below(id: number): number {
    if (!this.compact) return id;
    const named = this.src.skipModsAndTypedefs(id);
    if (named !== id) this.marks.skippedChains.add(id);
    return named;
  }

  /** Record one target spec (bpftool btfgen_record_reloc). */
  record(spec: CoreSpec): void {
    const cls = reloClass(spec.kind);
    if (cls === 'field') this.recordField(spec);
    else if (spec.kind === ReloKind.TYPE_ID_LOCAL) return;
    else if (spec.kind === ReloKind.TYPE_MATCHES) this.markTypeMatch(spec.rootId);
    else if (cls === 'type') this.markType(spec.rootId, true);
    else if (cls === 'enumval') this.recordEnumval(spec);
    else throw new MinimizeError(`unknown relocation kind ${spec.kind}`);
  }

  /** The enum (and its typedef chain) with the matched enumerator (docs/btfgen.md#enum-value-relocations; docs/btfgen.md#compaction trims the others). */
  private recordEnumval(spec: CoreSpec): void {
    this.markType(spec.rootId, false);
    const acc = spec.acc[0];
    if (acc) this.marks.markMember(acc.typeId, acc.idx);
  }

  /** Keep the source's first `long` INT, so libbpf's pointer-size guess is unchanged (docs/btfgen.md#fix-9-pointer-size). */
  keepLongInt(): void {
    const id = this.src.firstLongInt();
    if (id !== undefined) this.markType(id, false);
  }

  private recordField(spec: CoreSpec): void {
    const src = this.src;
    let id = spec.rootId;
    this.markType(id, false);
    for (let i = 1; i < spec.raw.length; i++) {
      for (let n = 0; isModOrTypedef(src.kind(id)); n++) {
        if (n > src.typeCount) throw this.unsupported(id, 'reference cycle');
        id = src.type(id);
      }
      const kind = src.kind(id);
      if (isComposite(kind)) {
        const idx = spec.raw[i] as number;
        this.markMemberAndType(id, idx);
        id = src.memberType(id, idx);
      } else if (kind === Kind.ARRAY) {
        id = src.arrayType(id);
      } else {
        throw this.unsupported(id);
      }
    }
  }

  private markMemberAndType(id: number, idx: number): void {
    const src = this.src;
    this.marks.markMember(id, idx);
    const memberType = src.memberType(id, idx);
    this.markType(this.below(memberType), false);
    if (this.mode !== 'robust') return;
    const last = src.vlen(id) - 1;
    const resolved = src.skipModsAndTypedefs(memberType);
    if (idx !== last && src.kind(resolved) === Kind.ARRAY && src.arrayNelems(resolved) === 0) {
      this.marks.markMember(id, last);
      this.markType(this.below(src.memberType(id, last)), false);
    }
  }

  /** bpftool btfgen_mark_type, iterative and memoized on (id, followPointers). */
  markType(root: number, followPointers: boolean): void {
    const src = this.src;
    const flag = followPointers ? 2 : 1;
    const stack = [root];
    while (stack.length > 0) {
      const id = stack.pop() as number;
      const seen = this.followed.get(id) ?? 0;
      if (id === 0 || (seen & flag) !== 0 || seen === 2) continue;
      this.followed.set(id, seen | flag);
      this.marks.keep(id);
      const kind = src.kind(id);
      switch (kind) {
        case Kind.INT:
        case Kind.FLOAT:
        case Kind.ENUM:
        case Kind.ENUM64:
        case Kind.STRUCT:
        case Kind.UNION:
          break;
        case Kind.PTR:
          if (followPointers) stack.push(this.below(src.type(id)));
          break;
        case Kind.CONST:
        case Kind.RESTRICT:
        case Kind.VOLATILE:
        case Kind.TYPEDEF:
          stack.push(this.below(src.type(id)));
          break;
        case Kind.ARRAY:
          stack.push(this.below(src.arrayIndexType(id)), this.below(src.arrayType(id)));
          break;
        case Kind.FUNC_PROTO:
          for (let i = src.vlen(id) - 1; i >= 0; i--) stack.push(this.below(src.paramType(id, i)));
          stack.push(this.below(src.type(id)));
          break;
        case Kind.TYPE_TAG:
          if (this.mode !== 'robust') throw this.unsupported(id);
          stack.push(this.below(src.type(id)));
          break;
        case Kind.FWD:
          if (this.mode !== 'robust') throw this.unsupported(id);
          break;
        default:
          throw this.unsupported(id);
      }
    }
  }

  /** bpftool btfgen_mark_type_match, iterative and memoized on (id, behindPtr). */
  markTypeMatch(root: number): void {
    const src = this.src;
    const robust = this.mode === 'robust';
    const stack: [number, boolean][] = [[root, false]];
    while (stack.length > 0) {
      const [id, behindPtr] = stack.pop() as [number, boolean];
      const flag = behindPtr ? 2 : 1;
      const seen = this.matched.get(id) ?? 0;
      if (id === 0 || (seen & flag) !== 0) continue;
      this.matched.set(id, seen | flag);
      this.marks.keep(id);
      const kind = src.kind(id);
      switch (kind) {
        case Kind.INT:
        case Kind.FLOAT:
          break;
        case Kind.ENUM:
        case Kind.ENUM64:
          this.marks.wholeEnums.add(id);
          break;
        case Kind.STRUCT:
        case Kind.UNION:
          if (behindPtr) break;
          for (let i = src.vlen(id) - 1; i >= 0; i--) {
            this.marks.markMember(id, i);
            stack.push([src.memberType(id, i), false]);
          }
          break;
        case Kind.CONST:
        case Kind.FWD:
        case Kind.RESTRICT:
        case Kind.TYPEDEF:
        case Kind.VOLATILE:
          stack.push([src.type(id), behindPtr]);
          break;
        case Kind.TYPE_TAG:
          if (!robust) throw this.unsupported(id);
          stack.push([src.type(id), behindPtr]);
          break;
        case Kind.PTR:
          stack.push([src.type(id), true]);
          break;
        case Kind.ARRAY:
          stack.push([src.arrayIndexType(id), false], [src.arrayType(id), false]);
          break;
        case Kind.FUNC_PROTO: {
          const inner = robust ? behindPtr : false;
          for (let i = src.vlen(id) - 1; i >= 0; i--) stack.push([src.paramType(id, i), inner]);
          stack.push([src.type(id), inner]);
          break;
        }
        default:
          throw this.unsupported(id);
      }
    }
  }

  private unsupported(id: number, why = 'unsupported kind'): MinimizeError {
    return new MinimizeError(`${why}: ${kindName(this.src.kind(id))}`, this.src.place({ typeId: id }));
  }
}
