/** A kernel release split into its leading numeric parts and its flavour suffix. */
export interface ReleaseParts {
  /** Numbers of the leading `N(.N|-N)*` prefix, e.g. `6.1.0-47` → [6, 1, 0, 47]. */
  numbers: number[];
  /** Everything after that prefix, e.g. `-amd64`, `-rt-amd64`, `.el8.x86_64`, `-generic`. */
  flavour: string;
}

const NUMERIC_PREFIX = /^\d+(?:[.-]\d+)*/;

/** Splits `release` into numeric parts and flavour; `numbers` is empty when it does not start with a digit. */
export function splitRelease(release: string): ReleaseParts {
  const m = NUMERIC_PREFIX.exec(release);
  if (!m) return { numbers: [], flavour: release };
  return { numbers: m[0].split(/[.-]/).map(Number), flavour: release.slice(m[0].length) };
}

/** Compares numeric release parts element-wise; a shorter equal prefix sorts first. */
export function compareNumbers(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Compares two runs of decimal digits by value, however long (no conversion to a number that could overflow). */
function compareDigitRuns(x: string, y: string): number {
  const a = x.replace(/^0+/, '');
  const b = y.replace(/^0+/, '');
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Natural-order string comparison: digit runs compare numerically, the rest by code unit; total and stable. */
export function naturalCompare(a: string, b: string): number {
  const ra = a.match(/\d+|\D+/g) ?? [];
  const rb = b.match(/\d+|\D+/g) ?? [];
  const n = Math.min(ra.length, rb.length);
  for (let i = 0; i < n; i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const d = compareDigitRuns(x, y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  if (ra.length !== rb.length) return ra.length - rb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
