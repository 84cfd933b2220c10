import { parseKernelId } from '@btf-bundle/runtime';
import { releaseSeries } from '@btf-bundle/runtime/internal';

const MAX_NAMED = 2;
const MAX_SERIES = 2;

/** `1234` → `1,234`. */
export const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

/** Series of the ids seen lately: a table names the same kernels for every object. Bounded. */
const seriesCache = new Map<string, string>();
const SERIES_CACHE_SIZE = 8192;

function seriesOf(id: string): string {
  let series = seriesCache.get(id);
  if (series === undefined) {
    try {
      series = releaseSeries(parseKernelId(id));
    } catch {
      series = id;
    }
    if (seriesCache.size >= SERIES_CACHE_SIZE) seriesCache.clear();
    seriesCache.set(id, series);
  }
  return series;
}

/** `none`, `all 1,000` or `37 of 1,000`. */
export function describeCount(n: number, of: number): string {
  if (n === 0) return 'none';
  return n === of ? `all ${count(of)}` : `${count(n)} of ${count(of)}`;
}

/**
 * A short description of `ids` (kernel ids in kernel order) out of `of` kernels, bounded in length whatever
 * their number: `none`, `all 1,000`, the ids themselves when there are at most two, otherwise the count and
 * the first release series with their first…last release (`37 of 1,000: debian/12/x86_64 6.1.0-9-amd64 …
 * 6.1.0-27-amd64 (20), … + 3 more series`).
 */
export function describeKernels(ids: readonly string[], of: number): string {
  if (ids.length === 0 || ids.length === of) return describeCount(ids.length, of);
  if (ids.length <= MAX_NAMED) return ids.join(', ');
  const series = new Map<string, string[]>();
  for (const id of ids) {
    const key = seriesOf(id);
    const list = series.get(key);
    if (list) list.push(id);
    else series.set(key, [id]);
  }
  const shown = [...series.values()].slice(0, MAX_SERIES).map((list) => {
    const first = list[0]!;
    const last = list[list.length - 1]!;
    return list.length === 1 ? first : `${first} … ${last.slice(last.lastIndexOf('/') + 1)} (${list.length})`;
  });
  const more = series.size > MAX_SERIES ? `, + ${series.size - MAX_SERIES} more series` : '';
  return `${count(ids.length)} of ${count(of)}: ${shown.join(', ')}${more}`;
}
