/**
 * Parses os-release(5) text into a key/value map: `KEY=value` lines, `#` comments and blank lines ignored,
 * values unquoted (single or double quotes; backslash escapes inside double quotes).
 */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out.set(m[1]!, unquote(m[2]!.trim()));
  }
  return out;
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
    const inner = v.slice(1, -1);
    return q === '"' ? inner.replace(/\\(["\\`$])/g, '$1') : inner;
  }
  return v;
}
