import { parseArgs } from 'node:util';
import { choicesOf } from '../build/option-schema.js';
import { UsageError } from '../errors.js';
import type { MinimizeMode } from '../minimize/minimize.js';

/** A mistake on the command line itself (unknown option, missing argument, bad value): the CLI exits with 2. */
export class ArgumentError extends UsageError {
  override name = 'ArgumentError';
  override readonly code: string = 'ARGUMENTS';
}

/** A command-line parsing error from `node:util` parseArgs (unknown option, missing or ambiguous value). */
function isParseArgsError(err: unknown): err is Error {
  return err instanceof Error && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
}

/** One option of a command (the subset of parseArgs' option config the commands use). */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

/** The parsed values of `T`'s options: a string, a list of strings or a flag; absent when not given. */
export type OptionValues<T extends Record<string, OptionSpec>> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean'
    ? boolean
    : T[K]['multiple'] extends true
      ? string[]
      : string;
};

/** How {@link parseCommandLine} treats arguments that are not options. */
export interface CommandLineShape {
  /** Whether the command takes positional arguments (else one is an {@link ArgumentError}). */
  positionals?: boolean;
  /**
   * Multiple-value options that also take the arguments following them up to the next option
   * (`--objects a.o b.o --out x`, as well as `--objects a.o --objects b.o`).
   */
  lists?: readonly string[];
}

/**
 * Parse a command's arguments with `node:util` parseArgs (strict: unknown options are errors), turning its errors
 * into {@link ArgumentError}s and letting the `lists` options take several values after one flag.
 */
export function parseCommandLine<T extends Record<string, OptionSpec>>(
  argv: string[],
  options: T,
  shape: CommandLineShape = {},
): { values: OptionValues<T>; positionals: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, tokens: true });
  } catch (err) {
    // parseArgs' first sentence says it all (`Unknown option '--x'`); the rest is a hint about `--`.
    if (!isParseArgsError(err)) throw err;
    const first = err.message.split(/\.\s/)[0] as string;
    throw new ArgumentError(first.charAt(0).toLowerCase() + first.slice(1));
  }
  const values = parsed.values as Record<string, unknown>;
  const positionals: string[] = [];
  let list: string[] | undefined;
  for (const token of parsed.tokens ?? []) {
    if (token.kind === 'option') {
      list =
        shape.lists?.includes(token.name) && !token.inlineValue
          ? (values[token.name] as string[])
          : undefined;
    } else if (token.kind === 'option-terminator') list = undefined;
    else if (list) list.push(token.value);
    else positionals.push(token.value);
  }
  if (!shape.positionals && positionals.length > 0) {
    throw new ArgumentError(`unexpected argument '${positionals[0]}'`);
  }
  return { values: values as OptionValues<T>, positionals };
}

/** Minimizer modes accepted by `--mode`. */
export const MODES = choicesOf<MinimizeMode>('mode');

/** Check that an option's value is one of `allowed` (undefined passes through). */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ArgumentError(`--${name} must be one of ${allowed.join(', ')}, got '${value}'`);
  }
  return value as T;
}

/** Parse a positive integer option. */
export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ArgumentError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}
