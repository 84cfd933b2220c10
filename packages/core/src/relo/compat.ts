import { type Btf, isComposite, isEnum, kindCoreCompat } from '../btf/btf.js';
import { IntEncoding, Kind } from '../btf/format.js';
import { CoreRelocationError } from '../errors.js';
import { essentialName, namesMatch } from './names.js';

/** Recursion and iteration limit libbpf uses in type compatibility and matching. */
const MAX_DEPTH = 32;

function tooDeep(what: string): CoreRelocationError {
  return new CoreRelocationError(`${what}: type nesting deeper than ${MAX_DEPTH}`);
}

/**
 * What the compatibility and matching checks return: whether the types agree, or the CoreRelocationError libbpf
 * fails the relocation with (nesting too deep).
 */
export type CompatResult = boolean | CoreRelocationError;

/** libbpf bpf_core_fields_are_compat (docs/core-relocations.md#field-relocations): may a local member type be relocated to a target member type? */
export function fieldsCompat(local: Btf, localId: number, target: Btf, targetId: number): CompatResult {
  for (let depth = 0; ; depth++) {
    if (depth > 1 << 16) return tooDeep('field compatibility');
    localId = local.skipModsAndTypedefs(localId);
    targetId = target.skipModsAndTypedefs(targetId);
    const lk = local.kind(localId);
    const tk = target.kind(targetId);
    if (isComposite(lk) && isComposite(tk)) return true;
    if (!kindCoreCompat(lk, tk)) return false;
    switch (lk) {
      case Kind.PTR:
      case Kind.FLOAT:
        return true;
      case Kind.FWD:
      case Kind.ENUM:
      case Kind.ENUM64: {
        const ln = essentialName(local.name(localId));
        const tn = essentialName(target.name(targetId));
        return ln === '' || tn === '' || ln === tn;
      }
      case Kind.INT:
        return local.intOffset(localId) === 0 && target.intOffset(targetId) === 0;
      case Kind.ARRAY:
        localId = local.arrayType(localId);
        targetId = target.arrayType(targetId);
        break;
      default:
        return false;
    }
  }
}

/** libbpf bpf_core_types_are_compat (docs/core-relocations.md#type-compatibility), used by TYPE_ID_TARGET, TYPE_EXISTS and TYPE_SIZE. */
export function typesCompat(
  local: Btf,
  localId: number,
  target: Btf,
  targetId: number,
  level = MAX_DEPTH,
): CompatResult {
  if (!kindCoreCompat(local.kind(localId), target.kind(targetId))) return false;
  for (let depth = MAX_DEPTH - 1; ; depth--) {
    if (depth < 0) return tooDeep('type compatibility');
    localId = local.skipModsAndTypedefs(localId);
    targetId = target.skipModsAndTypedefs(targetId);
    const lk = local.kind(localId);
    if (!kindCoreCompat(lk, target.kind(targetId))) return false;
    switch (lk) {
      case Kind.UNKN:
      case Kind.STRUCT:
      case Kind.UNION:
      case Kind.ENUM:
      case Kind.ENUM64:
      case Kind.FWD:
        return true;
      case Kind.INT:
        return local.intOffset(localId) === 0 && target.intOffset(targetId) === 0;
      case Kind.PTR:
        localId = local.type(localId);
        targetId = target.type(targetId);
        break;
      case Kind.ARRAY:
        localId = local.arrayType(localId);
        targetId = target.arrayType(targetId);
        break;
      case Kind.FUNC_PROTO: {
        const n = local.vlen(localId);
        if (n !== target.vlen(targetId)) return false;
        for (let i = 0; i < n; i++) {
          if (level <= 0) return tooDeep('type compatibility');
          const lp = local.skipModsAndTypedefs(local.paramType(localId, i));
          const tp = target.skipModsAndTypedefs(target.paramType(targetId, i));
          const param = typesCompat(local, lp, target, tp, level - 1);
          if (param !== true) return param;
        }
        localId = local.skipModsAndTypedefs(local.type(localId));
        targetId = target.skipModsAndTypedefs(target.type(targetId));
        break;
      }
      default:
        return false;
    }
  }
}

/** libbpf bpf_core_types_match (docs/core-relocations.md#type_matches), used by TYPE_MATCHES. */
export function typesMatch(
  local: Btf,
  localId: number,
  target: Btf,
  targetId: number,
  behindPtr = false,
  level = MAX_DEPTH,
): CompatResult {
  if (level <= 0) return tooDeep('type match');
  for (let depth = MAX_DEPTH - 1; ; depth--) {
    if (depth < 0) return tooDeep('type match');
    localId = local.skipModsAndTypedefs(localId);
    targetId = target.skipModsAndTypedefs(targetId);
    if (!namesMatch(local.name(localId), target.name(targetId))) return false;
    const lk = local.kind(localId);
    const tk = target.kind(targetId);
    switch (lk) {
      case Kind.UNKN:
        return tk === Kind.UNKN;
      case Kind.FWD: {
        const lf = local.kindFlag(localId);
        if (behindPtr) {
          if (tk === Kind.FWD) return lf === target.kindFlag(targetId);
          return (tk === Kind.STRUCT && !lf) || (tk === Kind.UNION && lf);
        }
        return tk === Kind.FWD && lf === target.kindFlag(targetId);
      }
      case Kind.ENUM:
      case Kind.ENUM64:
        return isEnum(tk) && enumsMatch(local, localId, target, targetId);
      case Kind.STRUCT:
      case Kind.UNION:
        if (behindPtr) {
          if (lk === tk) return true;
          return tk === Kind.FWD && (lk === Kind.UNION) === target.kindFlag(targetId);
        }
        return lk === tk && compositesMatch(local, localId, target, targetId, behindPtr, level);
      case Kind.INT: {
        if (tk !== Kind.INT) return false;
        const ls = local.intEncoding(localId) & IntEncoding.SIGNED;
        const ts = target.intEncoding(targetId) & IntEncoding.SIGNED;
        return local.size(localId) === target.size(targetId) && ls === ts;
      }
      case Kind.PTR:
        if (tk !== Kind.PTR) return false;
        behindPtr = true;
        localId = local.type(localId);
        targetId = target.type(targetId);
        break;
      case Kind.ARRAY:
        if (tk !== Kind.ARRAY || local.arrayNelems(localId) !== target.arrayNelems(targetId)) return false;
        localId = local.arrayType(localId);
        targetId = target.arrayType(targetId);
        break;
      case Kind.FUNC_PROTO: {
        if (tk !== Kind.FUNC_PROTO) return false;
        const n = local.vlen(localId);
        if (n !== target.vlen(targetId)) return false;
        for (let i = 0; i < n; i++) {
          const lp = local.paramType(localId, i);
          const tp = target.paramType(targetId, i);
          const param = typesMatch(local, lp, target, tp, behindPtr, level - 1);
          if (param !== true) return param;
        }
        localId = local.type(localId);
        targetId = target.type(targetId);
        break;
      }
      default:
        // libbpf logs "unexpected kind" and reports no match (FLOAT included).
        return false;
    }
  }
}

function enumsMatch(local: Btf, localId: number, target: Btf, targetId: number): boolean {
  const ln = local.vlen(localId);
  const tn = target.vlen(targetId);
  if (local.size(localId) !== target.size(targetId) || ln > tn) return false;
  for (let i = 0; i < ln; i++) {
    const name = local.enumName(localId, i);
    let matched = false;
    for (let j = 0; j < tn && !matched; j++) matched = namesMatch(name, target.enumName(targetId, j));
    if (!matched) return false;
  }
  return true;
}

function compositesMatch(
  local: Btf,
  localId: number,
  target: Btf,
  targetId: number,
  behindPtr: boolean,
  level: number,
): CompatResult {
  const ln = local.vlen(localId);
  const tn = target.vlen(targetId);
  if (ln > tn) return false;
  for (let i = 0; i < ln; i++) {
    const name = local.memberName(localId, i);
    let matched: CompatResult = false;
    for (let j = 0; j < tn && !matched; j++) {
      if (!namesMatch(name, target.memberName(targetId, j))) continue;
      matched = typesMatch(
        local,
        local.memberType(localId, i),
        target,
        target.memberType(targetId, j),
        behindPtr,
        level - 1,
      );
    }
    if (matched !== true) return matched;
  }
  return true;
}
