import { UsageError } from '../errors.js';
import type { MinimizeMode } from '../minimize/minimize.js';

/** Minimizer modes accepted by `--mode`. */
export const MODES: readonly MinimizeMode[] = ['robust', 'bpftool'];

/** Check that an option's value is one of `allowed` (undefined passes through). */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${value}'`);
  }
  return value as T;
}

/** Parse a positive integer option. */
export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}
