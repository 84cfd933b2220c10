/** Words (u32) of the fixed part and of each trailing element, per BTF kind 1..19 (spec §1.4). */
const LAYOUT: readonly (readonly [fixed: number, perElem: number])[] = [
  [0, 0], // 0 UNKN: never stored
  [4, 0], // INT
  [3, 0], // PTR
  [6, 0], // ARRAY
  [3, 3], // STRUCT
  [3, 3], // UNION
  [3, 2], // ENUM
  [3, 0], // FWD
  [3, 0], // TYPEDEF
  [3, 0], // VOLATILE
  [3, 0], // CONST
  [3, 0], // RESTRICT
  [3, 0], // FUNC (vlen is the linkage)
  [3, 2], // FUNC_PROTO
  [4, 0], // VAR
  [3, 3], // DATASEC
  [3, 0], // FLOAT
  [4, 0], // DECL_TAG
  [3, 0], // TYPE_TAG
  [3, 3], // ENUM64
];

/** Kinds whose trailing elements start with a name offset (members, enumerators, params). */
const NAMED_ELEMS = new Set([4, 5, 6, 13, 19]);

/** Number of u32 words of the type record whose `info` word is given, or undefined for an unknown kind. */
export function recordWords(info: number): number | undefined {
  const kind = (info >>> 24) & 0x7f;
  const layout = kind === 0 ? undefined : LAYOUT[kind];
  if (!layout) return undefined;
  return layout[0] + layout[1] * (info & 0xffffff);
}

/** Whether word `j` of a record with this `info` holds a string offset (the type name or an element name). */
export function isNameWord(info: number, j: number): boolean {
  if (j === 0) return true;
  const kind = (info >>> 24) & 0x7f;
  if (j < 3 || !NAMED_ELEMS.has(kind)) return false;
  return (j - 3) % LAYOUT[kind]![1] === 0;
}
