import { readdirSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/**
 * File names are bytes on Linux; Node turns the bytes of a name that are not UTF-8 into U+FFFD in its strings, so
 * such a file cannot be opened by the name Node gives it (that name is another, missing file). btf-bundle's paths
 * are strings throughout (messages, reports, bundle ids, worker messages): a file so named is refused or reported
 * with this reason, naming it by its bytes, never lost in silence nor said to be missing.
 */
export const NON_UTF8_NAME = 'the name is not valid UTF-8, which btf-bundle cannot open: rename it';

/** The character Node puts in place of bytes that are not UTF-8. */
const REPLACEMENT = '\uFFFD';

const strict = new TextDecoder('utf-8', { fatal: true });

/** `bytes` decoded as UTF-8, or undefined when they are not valid UTF-8. */
export function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** `bytes` as text, each byte that is not part of a valid UTF-8 sequence written `\xNN`. */
export function escapeNonUtf8(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    let text: string | undefined;
    let n = 1;
    for (; n <= 4 && i + n <= bytes.length && text === undefined; n++)
      text = strictUtf8(bytes.subarray(i, i + n));
    if (text === undefined) {
      out += `\\x${(bytes[i] as number).toString(16).padStart(2, '0')}`;
      i++;
    } else {
      out += text;
      i += n - 1;
    }
  }
  return out;
}

/**
 * When the missing file `path` is Node's name for a file whose name (or a directory's on the way) is not valid
 * UTF-8, that file's path with its bytes written `\xNN` (see {@link escapeNonUtf8}); else undefined. Each part of
 * `path` holding U+FFFD is looked up, as bytes, in its parent's listing.
 */
export function describeNonUtf8Path(path: string): string | undefined {
  if (!path.includes(REPLACEMENT)) return undefined;
  const parts = resolve(path).split(sep).slice(1);
  let raw: Buffer = Buffer.from(sep);
  let invalid = false;
  for (const [i, part] of parts.entries()) {
    let name: Buffer = Buffer.from(part);
    if (part.includes(REPLACEMENT)) {
      let names: Buffer[];
      try {
        names = readdirSync(raw, { encoding: 'buffer' });
      } catch {
        return undefined;
      }
      const match = names.find((n) => strictUtf8(n) === undefined && n.toString() === part);
      if (match) {
        name = match;
        invalid = true;
      }
    }
    raw = Buffer.concat([raw, name, Buffer.from(i < parts.length - 1 ? sep : '')]);
  }
  return invalid ? escapeNonUtf8(raw) : undefined;
}
