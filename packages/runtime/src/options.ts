import { BundleUsageError, describeValue } from './errors.js';

/**
 * The options argument `value` of `what` as an object: undefined and null mean no options; anything but an object
 * is a {@link BundleUsageError} (an ignored `findBtf(id, true)` would hide a mistake).
 */
export function optionsOf<T extends object>(value: T | null | undefined, what: string): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object')
    throw new BundleUsageError(`${what} is ${describeValue(value)}, not an options object`);
  return value;
}

/**
 * `defaults` with the options of `value` (see {@link optionsOf}) over them, except those set to undefined: an
 * option passed as undefined keeps its default, as if it were left out.
 */
export function withDefaults<T extends object>(
  defaults: Partial<T>,
  value: T | null | undefined,
  what: string,
): T {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [name, option] of Object.entries(optionsOf(value, what)))
    if (option !== undefined) merged[name] = option;
  return merged as T;
}
