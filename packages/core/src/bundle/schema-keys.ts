import { BTF_COLUMNS, BtfColumn } from '@btf-bundle/runtime/internal';
import { sha256Bytes } from '../util/sha256.js';

/** Keys longer than this are replaced by a digest inside other keys. */
const MAX_INNER_KEY = 24;

/** A key as it appears inside another key: short ones as they are, long ones as a digest, so keys stay small. */
const inner = (key: string) =>
  key.length <= MAX_INNER_KEY ? key : sha256Bytes(key).toString('base64').slice(0, 16);

/** How deep a key follows the type references of anonymous records (pointer to array of pointer to ...). */
const MAX_KEY_DEPTH = 10;

/**
 * Per record of one blob (columns in blob order, `starts` from `recordStarts`), a key for what the record
 * describes, so that the same type gets the same key in every blob of the bundle whatever its type id and
 * place: a named record is its kind, vlen and name; an anonymous one its own values plus the keys of the types
 * it refers to (a pointer is "pointer to <key of the target>"). Keys are distinct within the blob (a repeat gets
 * `#2`, `#3`, ...). They only steer compression: any distinct keys give a bundle that decodes exactly.
 */
export function schemaKeys(values: readonly ArrayLike<number>[], starts: readonly Int32Array[]): string[] {
  const records = starts[0]!.length - 1;
  const slice = (c: number, r: number) => {
    const out: number[] = [];
    for (let i = starts[c]![r]!; i < starts[c]![r + 1]!; i++) out.push(values[c]![i]!);
    return out;
  };
  const head = (r: number) =>
    `${slice(BtfColumn.Header, r).join(',')},${values[BtfColumn.Name]![starts[BtfColumn.Name]![r]!]}`;
  const own = (r: number) => {
    const parts: string[] = [];
    for (let c = 0; c < BTF_COLUMNS; c++) if (c !== BtfColumn.Type) parts.push(slice(c, r).join(','));
    return parts.join('|');
  };
  const memo = new Map<number, string>();
  const key = (r: number, depth: number): string => {
    const known = memo.get(r);
    if (known !== undefined) return known;
    const refs = slice(BtfColumn.Type, r);
    let k: string;
    if (values[BtfColumn.Name]![starts[BtfColumn.Name]![r]!] !== 0) k = head(r);
    else if (refs.length > 0 && depth < MAX_KEY_DEPTH)
      k = `${own(r)}>${refs.map((t) => (t === 0 || t > records ? `@${t}` : inner(key(t - 1, depth + 1)))).join(';')}`;
    else k = own(r);
    memo.set(r, k);
    return k;
  };
  const used = new Set<string>();
  return Array.from({ length: records }, (_, r) => {
    const base = key(r, 0);
    let k = base;
    for (let n = 2; used.has(k); n++) k = `${base}#${n}`;
    used.add(k);
    return k;
  });
}
