/** A kernel release split into its version numbers and its flavour. */
export interface ReleaseParts {
  /**
   * Every stand-alone number of the release, in order: `6.1.0-27-amd64` → [6, 1, 0, 27],
   * `4.18.0-305.3.1.el8_4.x86_64` → [4, 18, 0, 305, 3, 1], `5.3.18-150300.59.43-default` → [5, 3, 18, 150300, 59, 43].
   */
  numbers: number[];
  /**
   * The words of the release joined by `-` (tokens that are not plain numbers): `cloud-amd64`, `el8-x86_64`,
   * `amzn2-x86_64`, `default`, `generic`, `deb12-amd64`. RHEL's z-stream tag `el8_4` counts as `el8`, so a
   * distro's GA and update kernels share a flavour.
   */
  flavour: string;
}

const MAX_NUMBER_DIGITS = 15;
const RHEL_STREAM = /^(el\d+)_\d+$/;

/** `.`, `-`, `+`, `~`: what separates the tokens of a release. */
const isSeparator = (c: number) => c === 46 || c === 45 || c === 43 || c === 126;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Splits `release` into numbers and flavour (see {@link ReleaseParts}); `numbers` is empty when the release
 * has no stand-alone number. Works for every distro's numbering without knowing the distro: Ubuntu
 * `5.4.0-42-generic`, RHEL/CentOS/OL `4.18.0-305.el8.x86_64`, SLES `5.3.18-150300.59.43-default`, Amazon
 * `4.14.101-91.76.amzn2.x86_64`, Debian `6.1.0-27-cloud-amd64` and `6.12.117+deb12-amd64`. One pass with no
 * regular expression on the common path: lookups and kernel sorting split every release of a series.
 */
export function splitRelease(release: string): ReleaseParts {
  const numbers: number[] = [];
  const words: string[] = [];
  let start = 0;
  let digitsOnly = true;
  for (let i = 0; i <= release.length; i++) {
    const c = i < release.length ? release.charCodeAt(i) : 46;
    if (!isSeparator(c)) {
      digitsOnly &&= isDigit(c);
      continue;
    }
    const length = i - start;
    if (length > 0) {
      const token = release.slice(start, i);
      if (digitsOnly && length <= MAX_NUMBER_DIGITS) numbers.push(Number(token));
      else words.push(token.includes('_') ? token.replace(RHEL_STREAM, '$1') : token);
    }
    start = i + 1;
    digitsOnly = true;
  }
  return { numbers, flavour: words.join('-') };
}

/** Compares release numbers element-wise; an equal shorter list sorts first (`305` before `305.3.1`). */
export function compareNumbers(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Natural-order string comparison: digit runs compare numerically, the rest by code unit; total and stable. */
export function naturalCompare(a: string, b: string): number {
  if (a === b) return 0;
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
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  if (ra.length !== rb.length) return ra.length - rb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
