import { type Btf, isComposite, isEnum } from '../btf/btf.js';
import { Kind, ReloKind, reloClass } from '../btf/format.js';
import { CoreRelocationError } from '../errors.js';
import { type CompatResult, fieldsCompat, typesCompat, typesMatch } from './compat.js';
import { essentialName, essentialNameIs } from './names.js';
import { type Accessor, type CoreSpec, emptySpec, isFlexArray, MAX_SPEC_LEN } from './spec.js';

/**
 * libbpf bpf_core_spec_match (docs/core-relocations.md#matching-a-candidate): match a local spec against target candidate `candId`.
 * Returns the target spec, null when the candidate does not match, or the CoreRelocationError libbpf aborts the
 * relocation with.
 */
export function matchSpec(
  local: CoreSpec,
  target: Btf,
  candId: number,
): CoreSpec | null | CoreRelocationError {
  const spec = emptySpec(target, candId, local.kind);
  const cls = reloClass(local.kind);
  if (cls === 'type') {
    const ok: CompatResult =
      local.kind === ReloKind.TYPE_MATCHES
        ? typesMatch(local.btf, local.rootId, target, candId)
        : typesCompat(local.btf, local.rootId, target, candId);
    return ok === true ? spec : ok || null;
  }
  if (cls === 'enumval') return matchEnumval(local, spec);
  let tid = candId;
  for (let i = 0; i < local.acc.length; i++) {
    const la = local.acc[i] as Accessor;
    tid = target.skipModsAndTypedefs(tid);
    if (la.name !== null) {
      const next = searchMember(local.btf, la, target, tid, spec);
      if (next === false) return null;
      if (next instanceof CoreRelocationError) return next;
      tid = next;
      continue;
    }
    if (i > 0) {
      if (target.kind(tid) !== Kind.ARRAY) return null;
      const flex = isFlexArray(target, spec.acc[spec.acc.length - 1], tid);
      if (!flex && la.idx >= target.arrayNelems(tid)) return null;
      tid = target.skipModsAndTypedefs(target.arrayType(tid));
    }
    if (spec.raw.length === MAX_SPEC_LEN) return tooDeep();
    spec.acc.push({ typeId: tid, idx: la.idx, name: null });
    spec.raw.push(la.idx);
    const size = matchedSize(target, tid);
    if (size instanceof CoreRelocationError) return size;
    spec.bitOffset += la.idx * size * 8;
  }
  return spec;
}

/**
 * The size of a type an array accessor steps over, as libbpf's spec matching sees it: it keeps the size in a C
 * `int`, so a type of 2^31 bytes or more reads as negative and fails the match with an error (libbpf 1.1 to 1.5
 * print "error matching candidate ...: -2147483648" and the relocation fails).
 */
function matchedSize(target: Btf, id: number): number | CoreRelocationError {
  const size = target.sizeOf(id);
  if (typeof size === 'number' && size > 0x7fffffff) {
    return new CoreRelocationError(
      `${target.describe(id)} is ${size} bytes: libbpf's candidate matching holds sizes in an int and fails`,
      target.place({ typeId: id }),
    );
  }
  return size;
}

function matchEnumval(local: CoreSpec, spec: CoreSpec): CoreSpec | null {
  const target = spec.btf;
  const tid = target.skipModsAndTypedefs(spec.rootId);
  if (!isEnum(target.kind(tid))) return null;
  const wanted = essentialName((local.acc[0] as Accessor).name as string);
  const n = target.vlen(tid);
  for (let i = 0; i < n; i++) {
    if (!essentialNameIs(target, target.enumNameOff(tid, i), wanted)) continue;
    spec.acc.push({ typeId: tid, idx: i, name: target.enumName(tid, i) });
    spec.raw.push(i);
    return spec;
  }
  return null;
}

/** Where a composite's members are, by name: the first member of each name, and the anonymous ones in order. */
interface MemberIndex {
  named: Map<string, number>;
  anonymous: number[];
}

/**
 * Member indexes of the composites of each target searched so far: many relocations of many objects look for
 * members of the same few big structs (`task_struct` has ~250), which a scan by name would compare one by one.
 */
const memberIndexes = new WeakMap<Btf, Map<number, MemberIndex>>();

function memberIndexOf(target: Btf, tid: number): MemberIndex {
  let byType = memberIndexes.get(target);
  if (!byType) {
    byType = new Map();
    memberIndexes.set(target, byType);
  }
  let index = byType.get(tid);
  if (!index) {
    index = { named: new Map(), anonymous: [] };
    for (let i = 0, n = target.vlen(tid); i < n; i++) {
      const name = target.memberName(tid, i);
      if (name === '') index.anonymous.push(i);
      else if (!index.named.has(name)) index.named.set(name, i);
    }
    byType.set(tid, index);
  }
  return index;
}

/**
 * libbpf bpf_core_match_member: find the local accessor's member by exact name in target composite `tid`,
 * descending into anonymous members. Mutates `spec` exactly like libbpf (including not undoing a nested step
 * when a same-named member turns out incompatible). Returns the matched member's type id, false when there is
 * none, or the CoreRelocationError libbpf aborts with. libbpf walks the members in order, stepping into each
 * anonymous one until the first of the name: the anonymous members before it, then it.
 */
function searchMember(
  local: Btf,
  la: Accessor,
  target: Btf,
  tid: number,
  spec: CoreSpec,
): number | false | CoreRelocationError {
  tid = target.skipModsAndTypedefs(tid);
  if (!isComposite(target.kind(tid))) return false;
  const n = target.vlen(tid);
  if (n === 0) return false;
  // libbpf checks the depth at every member; the path is the same at each (a step into one is undone after).
  if (spec.raw.length === MAX_SPEC_LEN) return tooDeep();
  const localName = la.name as string;
  const { named, anonymous } = memberIndexOf(target, tid);
  const match = named.get(localName) ?? n;
  for (const i of anonymous) {
    if (i > match) break;
    const bitOffset = target.memberBitOffset(tid, i);
    spec.bitOffset += bitOffset;
    spec.raw.push(i);
    const found = searchMember(local, la, target, target.memberType(tid, i), spec);
    if (found !== false) return found;
    spec.bitOffset -= bitOffset;
    spec.raw.pop();
  }
  if (match === n) return false;
  spec.bitOffset += target.memberBitOffset(tid, match);
  spec.raw.push(match);
  const memberType = target.memberType(tid, match);
  const compat = fieldsCompat(local, local.memberType(la.typeId, la.idx), target, memberType);
  if (compat !== true) return compat;
  spec.acc.push({ typeId: tid, idx: match, name: localName });
  return memberType;
}

function tooDeep(): CoreRelocationError {
  return new CoreRelocationError(`access path deeper than ${MAX_SPEC_LEN} steps`, {}, { code: 'E2BIG' });
}
