/**
 * Shared by bad-input.test.ts and fuzz.test.ts: the check that a failure is a typed, placed BtfBundleError and
 * not a bare (or merely wrapped) TypeError/RangeError, and input mutations (with their fast-check arbitrary).
 */
import fc from 'fast-check';
import { BtfBundleError } from '../src/errors.js';

/** Runs `fn`; returns 'ok', or the error message if it threw a proper BtfBundleError; anything else is rethrown. */
export function typedOrOk(fn: () => unknown, file?: string): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof BtfBundleError)) {
      throw new Error(`not a BtfBundleError: ${String(err)}\n${(err as Error).stack ?? ''}`);
    }
    // annotateError wraps stray errors into FormatErrors: a JS TypeError/RangeError underneath is a reader bug.
    let cause: unknown = err.cause;
    for (let depth = 0; cause !== undefined && depth < 8; depth++) {
      if (cause instanceof TypeError || cause instanceof RangeError) {
        throw new Error(`BtfBundleError wraps a ${cause.name}: ${err.message}\n${cause.stack ?? ''}`);
      }
      cause = (cause as { cause?: unknown }).cause;
    }
    if (file !== undefined && !err.message.includes(file)) {
      throw new Error(`error does not name the file ${file}: ${err.message}`);
    }
    return err.message;
  }
}

/** One mutation of a byte array. */
export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'splice'; from: number; to: number; len: number }
  | { op: 'u32'; at: number; value: number };

/** Applies `m` (positions are taken modulo the length; u32 writes are 4-aligned, little-endian). */
export function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const n = bytes.length;
  if (n === 0) return bytes;
  switch (m.op) {
    case 'flip': {
      const out = bytes.slice();
      out[m.at % n] = (out[m.at % n] as number) ^ (1 << m.bit);
      return out;
    }
    case 'truncate':
      return bytes.slice(0, m.at % n);
    case 'splice': {
      const from = m.from % n;
      const chunk = bytes.slice(from, from + m.len);
      const to = m.to % n;
      const out = new Uint8Array(n + chunk.length);
      out.set(bytes.subarray(0, to));
      out.set(chunk, to);
      out.set(bytes.subarray(to), to + chunk.length);
      return out;
    }
    case 'u32': {
      const out = bytes.slice();
      const at = (m.at % Math.max(1, n - 3)) & ~3;
      if (at + 4 <= n) new DataView(out.buffer).setUint32(at, m.value >>> 0, true);
      return out;
    }
  }
}

/** One to three mutations of a `size`-byte input: bit flips, cuts, splices and u32 overwrites. */
export function mutations(size: number): fc.Arbitrary<Mutation[]> {
  const at = fc.nat({ max: size * 2 });
  const value = fc.oneof(
    fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, size),
    fc.nat(),
  );
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ op: fc.constant('truncate' as const), at }),
    fc.record({ op: fc.constant('splice' as const), from: at, to: at, len: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('u32' as const), at, value }),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}
