import { type Btf, isEnum } from '../btf/btf.js';
import { IntEncoding, Kind, ReloKind, reloClass } from '../btf/format.js';
import { CoreRelocationError } from '../errors.js';
import type { Accessor, CoreSpec } from './spec.js';

/** Result of relocating one instruction (libbpf struct bpf_core_relo_res). */
export interface ReloResult {
  /** Value computed from the local (object) spec. */
  origValue: bigint;
  /** Value computed from the target spec: what the instruction gets. */
  newValue: bigint;
  /** No target: the instruction is poisoned (replaced by a call to helper 0xbad2310). */
  poison: boolean;
  /** Whether libbpf checks the instruction's current value against origValue. */
  validate: boolean;
  /** Memory size of the local field (BYTE_OFFSET; an array field's whole size), 0 otherwise. */
  origSize: number;
  /** Memory size of the target field (BYTE_OFFSET), 0 otherwise. */
  newSize: number;
  /** Whether a load/store width change would be unsafe (libbpf then poisons a load or store: patch.ts). */
  failMemszAdjust: boolean;
}

interface FieldValue {
  value: bigint;
  size: number;
  typeId: number;
  validate: boolean;
}

/**
 * libbpf bpf_core_calc_field_relo for one side: the value, null when the instruction is to be poisoned (libbpf's
 * -EUCLEAN: no target), or the error libbpf fails the relocation with.
 */
function calcField(kind: number, spec: CoreSpec | null): FieldValue | null | CoreRelocationError {
  if (kind === ReloKind.FIELD_EXISTS) return { value: spec ? 1n : 0n, size: 0, typeId: 0, validate: true };
  if (!spec) return null;
  const { btf } = spec;
  const acc = spec.acc[spec.acc.length - 1] as Accessor;
  if (acc.name === null) {
    if (kind === ReloKind.FIELD_BYTE_OFFSET) {
      // The memory size is the element's whole size, an array included (see FIELD_BYTE_OFFSET below).
      const size = btf.sizeOf(acc.typeId);
      if (size instanceof CoreRelocationError) return size;
      return { value: BigInt(Math.floor(spec.bitOffset / 8)), size, typeId: acc.typeId, validate: true };
    }
    if (kind === ReloKind.FIELD_BYTE_SIZE) {
      const size = btf.sizeOf(acc.typeId);
      if (size instanceof CoreRelocationError) return size;
      return { value: BigInt(size), size: 0, typeId: 0, validate: true };
    }
    return new CoreRelocationError(`relocation kind ${kind} cannot be applied to an array element access`);
  }
  const memberType = btf.memberType(acc.typeId, acc.idx);
  const fieldType = btf.skipModsAndTypedefs(memberType);
  const bitOff = spec.bitOffset;
  let bitSize = btf.memberBitfieldSize(acc.typeId, acc.idx);
  const bitfield = bitSize > 0;
  let byteSize: number;
  let byteOff: number;
  if (bitfield) {
    byteSize = btf.size(fieldType);
    if (byteSize === 0) return new CoreRelocationError('bitfield of a zero-sized type');
    byteOff = Math.floor(Math.floor(bitOff / 8) / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) {
        return new CoreRelocationError(
          'bitfield cannot be read with a single 64-bit load',
          {},
          { code: 'E2BIG' },
        );
      }
      byteSize *= 2;
      byteOff = Math.floor(Math.floor(bitOff / 8) / byteSize) * byteSize;
    }
  } else {
    const size = btf.sizeOf(fieldType);
    if (size instanceof CoreRelocationError) return size;
    byteSize = size;
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
  }
  const validate = !bitfield;
  switch (kind) {
    case ReloKind.FIELD_BYTE_OFFSET:
      // The memory size of a load or store is the whole field's, an array's too, with the field's type (libbpf 1.1
      // and 1.4.6; later releases take an array's innermost element: docs/core-relocations.md#libbpf-versions).
      if (bitfield) return { value: BigInt(byteOff), size: 0, typeId: 0, validate };
      return { value: BigInt(byteOff), size: byteSize, typeId: fieldType, validate };
    case ReloKind.FIELD_BYTE_SIZE:
      return { value: BigInt(byteSize), size: 0, typeId: 0, validate };
    case ReloKind.FIELD_SIGNED: {
      const fk = btf.kind(fieldType);
      const signed =
        (isEnum(fk) && btf.kindFlag(fieldType)) ||
        (fk === Kind.INT && (btf.intEncoding(fieldType) & IntEncoding.SIGNED) !== 0);
      return { value: signed ? 1n : 0n, size: 0, typeId: 0, validate };
    }
    // Shifts in libbpf's 32-bit unsigned arithmetic: a field wider than 64 bits (a target's 16-byte integer) wraps.
    case ReloKind.FIELD_LSHIFT_U64:
      // libbpf computes shifts for its own (little-endian) host.
      return { value: BigInt((64 - (bitOff + bitSize - byteOff * 8)) >>> 0), size: 0, typeId: 0, validate };
    default:
      return { value: BigInt((64 - bitSize) >>> 0), size: 0, typeId: 0, validate: true };
  }
}

/** libbpf bpf_core_calc_type_relo for one side (0 without a target), or the error for an unsupported kind. */
function calcType(kind: number, spec: CoreSpec | null): bigint | CoreRelocationError {
  if (!spec) return 0n;
  switch (kind) {
    case ReloKind.TYPE_ID_TARGET:
      return BigInt(spec.rootId);
    case ReloKind.TYPE_EXISTS:
    case ReloKind.TYPE_MATCHES:
      return 1n;
    case ReloKind.TYPE_SIZE: {
      const size = spec.btf.sizeOf(spec.rootId);
      return size instanceof CoreRelocationError ? size : BigInt(size);
    }
    default:
      return new CoreRelocationError(
        `relocation kind ${kind} is not supported here`,
        {},
        { code: 'EOPNOTSUPP' },
      );
  }
}

/** libbpf bpf_core_calc_enumval_relo for one side, null when the instruction is to be poisoned (no target). */
function calcEnumval(kind: number, spec: CoreSpec | null): bigint | null {
  if (kind === ReloKind.ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (!spec) return null;
  const acc = spec.acc[0] as Accessor;
  const value = spec.btf.enumValue(acc.typeId, acc.idx);
  // libbpf stores the result as u64: ENUM values are sign-extended s32, ENUM64 values are the raw 64 bits.
  return BigInt.asUintN(64, value);
}

function isUnsignedInt(btf: Btf, id: number): boolean {
  return btf.kind(id) === Kind.INT && btf.intEncoding(id) !== IntEncoding.SIGNED;
}

/** A result with every field at libbpf's initial value (bpf_core_calc_relo starts from it). */
export function emptyResult(): ReloResult {
  return {
    origValue: 0n,
    newValue: 0n,
    poison: false,
    validate: true,
    origSize: 0,
    newSize: 0,
    failMemszAdjust: false,
  };
}

/** `res` marked poisoned: the fields computed before the missing target keep their values, as in libbpf. */
function poisoned(res: ReloResult): ReloResult {
  res.poison = true;
  return res;
}

/**
 * libbpf bpf_core_calc_relo: the relocation result for a local spec and a target spec (null = no target), poisoned
 * when there is no target value (the fields computed before that keep their values, as in libbpf), or the
 * CoreRelocationError libbpf fails the relocation with. Returns errors rather than throwing them.
 */
export function calcRelocation(
  kind: number,
  local: CoreSpec,
  target: CoreSpec | null,
): ReloResult | CoreRelocationError {
  const res = emptyResult();
  const cls = reloClass(kind);
  if (cls === 'field') {
    const orig = calcField(kind, local);
    if (orig === null) return poisoned(res);
    if (orig instanceof CoreRelocationError) return orig;
    res.origValue = orig.value;
    res.origSize = orig.size;
    res.validate = orig.validate;
    const next = calcField(kind, target);
    if (next === null) return poisoned(res);
    if (next instanceof CoreRelocationError) return next;
    res.newValue = next.value;
    res.newSize = next.size;
    if (res.origSize !== res.newSize) {
      const lb = local.btf;
      const tb = (target as CoreSpec).btf;
      const bothPtr = lb.kind(orig.typeId) === Kind.PTR && tb.kind(next.typeId) === Kind.PTR;
      const bothUnsigned = isUnsignedInt(lb, orig.typeId) && isUnsignedInt(tb, next.typeId);
      res.failMemszAdjust = !bothPtr && !bothUnsigned;
    }
  } else if (cls === 'type') {
    const orig = calcType(kind, local);
    if (orig instanceof CoreRelocationError) return orig;
    res.origValue = orig;
    res.validate = kind !== ReloKind.TYPE_ID_TARGET;
    const next = calcType(kind, target);
    if (next instanceof CoreRelocationError) return next;
    res.newValue = next;
  } else if (cls === 'enumval') {
    const orig = calcEnumval(kind, local);
    if (orig === null) return poisoned(res);
    res.origValue = orig;
    const next = calcEnumval(kind, target);
    if (next === null) return poisoned(res);
    res.newValue = next;
  } else {
    return new CoreRelocationError(`unknown relocation kind ${kind}`, {}, { code: 'EOPNOTSUPP' });
  }
  return res;
}
