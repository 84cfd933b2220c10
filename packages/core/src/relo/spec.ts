import { type Btf, isComposite, isEnum } from '../btf/btf.js';
import { Kind, kindName, reloClass } from '../btf/format.js';
import { CoreRelocationError } from '../errors.js';

/** Deepest access path libbpf accepts (BPF_CORE_SPEC_MAX_LEN). */
export const MAX_SPEC_LEN = 64;

/** One high-level accessor of a spec: a named member, an array index, or an enumerator (docs/core-relocations.md#local-spec). */
export interface Accessor {
  /** The composite, array element or enum type the accessor applies to (after skip-mods). */
  typeId: number;
  /** Member, element or enumerator index. */
  idx: number;
  /** Member or enumerator name; null for array/root index accessors. */
  name: string | null;
}

/** A CO-RE spec: a relocation's access path in one BTF (libbpf struct bpf_core_spec). */
export interface CoreSpec {
  /** The BTF the spec is in. */
  btf: Btf;
  /** Root type id (the local relocation type, or the candidate id on the target side). */
  rootId: number;
  /** Relocation kind. */
  kind: number;
  /** Low-level path: one entry per access-string number, including anonymous member steps. */
  raw: number[];
  /** High-level accessors. */
  acc: Accessor[];
  /** Bit offset of the accessed field from the root pointer. */
  bitOffset: number;
}

/** A fresh spec rooted at `rootId`. */
export function emptySpec(btf: Btf, rootId: number, kind: number): CoreSpec {
  return { btf, rootId, kind, raw: [], acc: [], bitOffset: 0 };
}

const COLON = 0x3a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;

/** Whether the code `c` is white space before a number: C's `isspace` in libbpf's C locale (not 0xA0). */
function isSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20;
}

/**
 * Parse an access string like `0:1:2` (libbpf semantics: `%d` per entry, `:` separators, at most 64 entries), or
 * the CoreRelocationError libbpf fails with. One scan of the characters, no regular expression: each entry is
 * optional white space, an optional sign and digits.
 */
export function parseAccessString(access: string): number[] | CoreRelocationError {
  const n = access.length;
  if (n === 0 || access.charCodeAt(0) === COLON) return specError(`invalid access string '${access}'`);
  const raw: number[] = [];
  let pos = 0;
  while (pos < n) {
    if (access.charCodeAt(pos) === COLON) pos++;
    while (pos < n && isSpace(access.charCodeAt(pos))) pos++;
    const start = pos;
    const sign = access.charCodeAt(pos);
    if (sign === PLUS || sign === MINUS) pos++;
    const digits = pos;
    let value = 0;
    for (let d = access.charCodeAt(pos) - DIGIT_0; d >= 0 && d <= 9; d = access.charCodeAt(++pos) - DIGIT_0) {
      value = value * 10 + d;
    }
    if (pos === digits) return specError(`invalid access string '${access}'`);
    if (sign === MINUS) value = -value;
    if (value < 0 || value > 0x7fffffff) {
      return specError(`invalid access index ${access.slice(start, pos)} in '${access}'`);
    }
    if (raw.length === MAX_SPEC_LEN) return specError(`access string '${access}' is too deep`, 'E2BIG');
    raw.push(value);
  }
  return raw;
}

/** libbpf is_flex_arr: a zero-length array reached through the last member of the struct that contains it. */
export function isFlexArray(btf: Btf, prev: Accessor | undefined, arrayId: number): boolean {
  if (!prev || prev.name === null || btf.arrayNelems(arrayId) > 0) return false;
  return prev.idx === btf.vlen(prev.typeId) - 1;
}

/**
 * Parse the local spec of a relocation (libbpf bpf_core_parse_spec, docs/core-relocations.md#local-spec), or
 * return the CoreRelocationError libbpf fails it with (as calcRelocation does: errors are values).
 */
export function parseLocalSpec(
  btf: Btf,
  rootId: number,
  kind: number,
  access: string,
): CoreSpec | CoreRelocationError {
  const cls = reloClass(kind);
  if (cls === undefined) return specError(`unknown relocation kind ${kind}`, 'EOPNOTSUPP');
  if (access === '' || access.startsWith(':')) return specError(`invalid access string '${access}'`);
  const spec = emptySpec(btf, rootId, kind);
  if (cls === 'type') {
    if (access !== '0') return specError(`type-based relocation has access string '${access}', expected '0'`);
    return spec;
  }
  const raw = parseAccessString(access);
  if (raw instanceof CoreRelocationError) return raw;
  spec.raw = raw;
  let id = btf.skipModsAndTypedefs(rootId);
  const first = raw[0] as number;
  if (cls === 'enumval') {
    if (!isEnum(btf.kind(id)) || raw.length > 1 || first >= btf.vlen(id)) {
      return specError(`enum relocation access '${access}' does not fit ${btf.describe(id)}`);
    }
    spec.acc.push({ typeId: id, idx: first, name: btf.enumName(id, first) });
    return spec;
  }
  spec.acc.push({ typeId: id, idx: first, name: null });
  const rootSize = btf.sizeOf(id);
  if (rootSize instanceof CoreRelocationError) return rootSize;
  spec.bitOffset = first * rootSize * 8;
  for (let i = 1; i < raw.length; i++) {
    id = btf.skipModsAndTypedefs(id);
    const k = raw[i] as number;
    const tk = btf.kind(id);
    if (isComposite(tk)) {
      if (k >= btf.vlen(id)) return specError(`member index ${k} is out of range for ${btf.describe(id)}`);
      spec.bitOffset += btf.memberBitOffset(id, k);
      const name = btf.memberName(id, k);
      if (name !== '') spec.acc.push({ typeId: id, idx: k, name });
      id = btf.memberType(id, k);
    } else if (tk === Kind.ARRAY) {
      const arrayId = id;
      id = btf.skipModsAndTypedefs(btf.arrayType(arrayId));
      const flex = isFlexArray(btf, spec.acc[spec.acc.length - 1], arrayId);
      if (!flex && k >= btf.arrayNelems(arrayId)) {
        return specError(`array index ${k} is out of range for ${btf.describe(arrayId)}`);
      }
      spec.acc.push({ typeId: id, idx: k, name: null });
      const elementSize = btf.sizeOf(id);
      if (elementSize instanceof CoreRelocationError) return elementSize;
      spec.bitOffset += k * elementSize * 8;
    } else {
      return specError(`access '${access}' captures ${btf.describe(id)} of unexpected kind`);
    }
  }
  return spec;
}

/** Render a spec the way libbpf logs it: `[id] struct foo.a.b (0:1:2 @ offset 8)`. */
export function formatSpec(spec: CoreSpec): string {
  const { btf } = spec;
  let out = `[${spec.rootId}] ${kindName(btf.kind(spec.rootId)).toLowerCase()} ${btf.name(spec.rootId)}`;
  const cls = reloClass(spec.kind);
  if (cls === 'type') return out;
  if (cls === 'enumval') {
    const a = spec.acc[0];
    return a ? `${out}::${a.name} = ${btf.enumValue(a.typeId, a.idx)}` : out;
  }
  for (const a of spec.acc.slice(1)) out += a.name !== null ? `.${a.name}` : `[${a.idx}]`;
  out += ` (${spec.raw.join(':')} @ offset ${spec.bitOffset / 8}`;
  if (spec.bitOffset % 8) out += `.${spec.bitOffset % 8}`;
  return `${out})`;
}

function specError(detail: string, code: 'EINVAL' | 'E2BIG' | 'EOPNOTSUPP' = 'EINVAL'): CoreRelocationError {
  return new CoreRelocationError(detail, {}, { code });
}
