import { BtfBundleError, boundText, escapeControls } from './error-base.js';

/** Longest line {@link formatError} returns. */
export const MAX_ERROR_LINE = 4000;

/** A Node.js file-system error (`ENOENT`, `EISDIR`, `EACCES`, ...): an Error with a string code and a syscall. */
interface SystemError extends Error {
  code: string;
  syscall: string;
  path?: string;
  dest?: string;
}

function isSystemError(err: unknown): err is SystemError {
  const e = err as Partial<SystemError>;
  return err instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/**
 * A Node.js file-system error (`ENOENT`, `EISDIR`, `EACCES`, ...) described without its path: `cannot open: no such
 * file or directory (ENOENT)`, with its errno code and path. Undefined for any other value.
 */
export function systemErrorDetail(err: unknown): { code: string; detail: string; path?: string } | undefined {
  if (!isSystemError(err)) return undefined;
  const reason = /^[A-Z0-9_]+: (.*?), [a-z_]+\b/.exec(err.message)?.[1] ?? err.message;
  const dest = err.dest === undefined ? '' : ` to ${err.dest}`;
  return { code: err.code, detail: `cannot ${err.syscall}${dest}: ${reason} (${err.code})`, path: err.path };
}

/**
 * Any thrown value as one bounded, printable line, the same for every package and front end: a
 * {@link BtfBundleError} as its message (place, then detail), a Node.js file-system error as
 * `path: cannot <syscall>: <reason> (<code>)`, anything else (a bug) as `internal error: <name>: <message>`.
 * Never a stack trace; control characters escaped; cut to {@link MAX_ERROR_LINE} characters with an ellipsis.
 */
export function formatError(err: unknown): string {
  const system = systemErrorDetail(err);
  let text: string;
  if (err instanceof BtfBundleError) text = err.message;
  else if (system) text = system.path === undefined ? system.detail : `${system.path}: ${system.detail}`;
  else if (err instanceof Error) text = `internal error: ${err.name}: ${err.message}`;
  else text = `internal error: ${String(err)}`;
  return boundText(escapeControls(boundText(text, MAX_ERROR_LINE)), MAX_ERROR_LINE);
}
