/*
 * The data section's decoder (docs/bundle-format.md, "Data"): what src/bundle/data-section.ts and
 * src/format/btf-rebuild.ts do, in native code, so that a fresh process rebuilds its first BTF without
 * interpreting a JavaScript loop per value. It only says whether the input is valid: on a refusal the caller runs
 * the JavaScript decoder, which throws the typed error naming the blob, the column and the offset. The two accept
 * exactly the same inputs and give the same bytes (packages/core/test/native-decoder.test.ts).
 */

#include "common.h"

#define COLUMNS 8        /* stored columns of a BTF blob: the 7 record columns and the Order column */
#define ORDER 7          /* the Order column */
#define HEADER 0         /* record header values: kind | kflag << 5, then vlen */
#define NAME 1           /* global string ids */
#define TYPE 2           /* schema ids (0 is void) */
#define OFFSET 4         /* zigzag member offset deltas */
#define BTF_HEADER_LEN 24
#define MAX_VLEN 0xffff
#define MAX_SECTION 0x40000000u
#define SHARED 0x80000000u  /* a column start slot naming the blob whose column it shares */

/*
 * Per kind (5 bits of a record header value): FIXED_WORDS, ELEMENT_WORDS, ELEMENT_NAME, and WORD_COLUMNS with
 * the length of each row in WORD_COLUMN_COUNT; generated from src/format/btf-columns.ts by the build script.
 */
#include "kind-tables.h"

/* The scanned data section. */
static const u8 *data;
static u32 string_count;
static u32 *string_starts; /* string_count + 1 entries */
static u32 blob_count;
static u8 *modes;
static u32 *records;
static u32 *ranges;        /* per blob and column: start, end */
static i32 *seen;          /* per global string: its offset in the blob being rebuilt, or -1 */

/* Where the scratch memory of a blob starts: everything after the scanned section. */
static u32 scratch;

/**
 * Finds the data section's strings, the heads of its `blobs` blobs (of rebuilt sizes `sizes`) and where each blob's
 * columns are. `at`, `len`: the section, copied where reserve() said. Returns 1 when the section is well
 * formed (what src/bundle/data-section.ts's constructor accepts), else 0.
 */
EXPORT(scan) i32 scan(const u8 *at, u32 len, u32 blobs, const u32 *sizes) {
  data = at;
  blob_count = blobs;
  u64 total = 0;
  for (u32 i = 0; i < blobs; i++) total += sizes[i];
  if (total > MAX_SECTION) return 0;
  u32 p = 0;
  u64 count = read_count(data, &p, len, len - p);
  if (count == ~0ull || count == 0) return 0;
  string_count = (u32)count;
  string_starts = grab(4ull * (string_count + 1));
  if (!string_starts) return 0;
  for (u32 i = 0; i < string_count; i++) {
    string_starts[i] = p;
    while (p < len && data[p] != 0) p++;
    if (p >= len) return 0;
    p++;
  }
  string_starts[string_count] = p;
  modes = grab(blobs);
  records = grab(4ull * blobs);
  ranges = grab(8ull * COLUMNS * blobs);
  seen = grab(4ull * string_count);
  if (blobs && (!modes || !records || !ranges)) return 0;
  if (!seen) return 0;
  for (u32 i = 0; i < blobs; i++) {
    u64 mode = read_varint(data, &p, len);
    if (mode > 2) return 0;
    modes[i] = (u8)mode;
    for (u32 c = 0; c < 2 * COLUMNS; c++) ranges[2 * COLUMNS * i + c] = 0;
    if (mode == 0) continue;
    u64 n = read_varint(data, &p, len);
    if (n > len - p) return 0;
    records[i] = (u32)n;
    /* Per column: its length (2 × length) or the earlier BTF blob whose equal column it shares (2 × distance + 1,
     * marked in the start slot until the columns are found). */
    for (u32 c = 0; c < COLUMNS; c++) {
      u64 v = read_varint(data, &p, len);
      if (v == ~0ull) return 0;
      if (v % 2 == 0) {
        if (v / 2 > len - p) return 0;
        ranges[2 * (COLUMNS * i + c) + 1] = (u32)(v / 2);
      } else {
        u64 distance = v / 2;
        if (distance >= i || modes[i - 1 - distance] == 0) return 0;
        ranges[2 * (COLUMNS * i + c)] = SHARED | (u32)(i - 1 - distance);
      }
    }
  }
  u64 pos = p;
  for (u32 c = 0; c < COLUMNS; c++)
    for (u32 i = 0; i < blobs; i++) {
      if (modes[i] == 0) continue;
      u32 k = 2 * (COLUMNS * i + c);
      if (ranges[k] & SHARED) {
        u32 from = 2 * (COLUMNS * (ranges[k] & ~SHARED) + c);
        ranges[k] = ranges[from];
        ranges[k + 1] = ranges[from + 1];
        continue;
      }
      ranges[k] = (u32)pos;
      pos += ranges[k + 1];
      ranges[k + 1] = (u32)pos;
    }
  for (u32 i = 0; i < blobs; i++) {
    if (modes[i] != 0) continue;
    u32 k = 2 * COLUMNS * i;
    ranges[k] = (u32)pos;
    pos += sizes[i];
    ranges[k + 1] = (u32)pos;
  }
  scratch = heap_mark();
  return pos == len;
}

/* Read cursors of the blob being rebuilt. */
static u32 pos[COLUMNS], end[COLUMNS];

/* The next value of column `c` (LEB128, at most 32 bits) into `*v`; 0 past the column's end or too long. */
static int value(u32 c, u32 *v) {
  u32 p = pos[c], e = end[c], x = 0;
  for (u32 shift = 0;; shift += 7) {
    if (p >= e) return 0;
    u8 b = data[p++];
    if (shift == 28) {
      if (b > 0x0f) return 0;
      x |= (u32)b << 28;
      break;
    }
    x |= (u32)(b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  pos[c] = p;
  *v = x;
  return 1;
}

/*
 * Sorts `n` (key << 32 | position) pairs by key, stably, into `a` (`tmp`: room for `n` more): a radix sort, one
 * pass per byte of the key where the keys differ, so its time is linear in `n` whatever the input.
 */
APART void sort_pairs(u64 *a, u64 *tmp, u32 n) {
  static u32 count[256];
  for (u32 shift = 32; shift < 64; shift += 8) {
    for (u32 b = 0; b < 256; b++) count[b] = 0;
    for (u32 k = 0; k < n; k++) count[(a[k] >> shift) & 0xff]++;
    if (count[(a[0] >> shift) & 0xff] == n) continue; /* one value of this byte: already in order */
    for (u32 b = 0, sum = 0; b < 256; b++) {
      u32 c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (u32 k = 0; k < n; k++) tmp[count[(a[k] >> shift) & 0xff]++] = a[k];
    copy((u8 *)a, (const u8 *)tmp, 8 * n);
  }
}

/* The blob-local id (position + 1 in blob order) of schema id `id`, from the pairs sorted by id; 0 if absent. */
static u32 local_id(const u64 *sorted, u32 n, u32 id) {
  u32 lo = 0, hi = n;
  while (lo < hi) {
    u32 mid = (lo + hi) / 2;
    u32 key = (u32)(sorted[mid] >> 32);
    if (key == id) return (u32)sorted[mid] + 1;
    if (key < id) lo = mid + 1; else hi = mid;
  }
  return 0;
}

static void put32(u8 *to, u32 v, int little) {
  if (little) { to[0] = v; to[1] = v >> 8; to[2] = v >> 16; to[3] = v >> 24; }
  else { to[0] = v >> 24; to[1] = v >> 16; to[2] = v >> 8; to[3] = v; }
}

/* What a blob's rebuild works on, in scratch memory. */
static u32 n_records; /* type records of the blob */
static u64 *pairs;    /* schema id << 32 | blob-order position, sorted by schema id; room for twice as many */
static u32 *slot;     /* per blob-order record: the stored record it is */
static u32 *words;    /* the type section in blob order, then the records as stored */
static u32 *starts;   /* per stored record: where it starts among the stored words; then their end */
static u32 capacity;  /* words the blob's type section may have */

/* The Order column: schema ids in blob order (0 for "the previous id + 1"), paired with their position; 0 when it
 * does not hold exactly one non-zero id per record. */
APART int read_order(void) {
  for (u32 r = 0, id = 0; r < n_records; r++) {
    u32 v;
    if (!value(ORDER, &v)) return 0;
    id = v == 0 ? id + 1 : v;
    if (id == 0) return 0;
    pairs[r] = ((u64)id << 32) | r;
  }
  return pos[ORDER] == end[ORDER];
}

/* The records as stored (schema order), after the blob's `capacity` words: names as global string ids, type words
 * as blob-local ids, member offsets from their deltas. Their word count, or ~0 when the columns do not hold
 * exactly the values the records need. */
APART u32 read_records(void) {
  u32 *stored = words + capacity;
  u32 w = 0;
  for (u32 k = 0; k < n_records; k++) {
    starts[k] = w;
    u32 kb, vlen;
    if (!value(HEADER, &kb) || !value(HEADER, &vlen)) return ~0u;
    u32 kind = kb & 0x1f;
    u32 fixed = FIXED_WORDS[kind];
    if (kb >= 0x40 || vlen > MAX_VLEN || fixed == 0) return ~0u;
    u64 n = fixed + (u64)ELEMENT_WORDS[kind] * vlen;
    if (w + n > capacity) return ~0u;
    u32 *rec = stored + w;
    rec[1] = ((kb & 0x20) << 26) | (kind << 24) | vlen;
    const u8 *table = WORD_COLUMNS[kind];
    u32 last = WORD_COLUMN_COUNT[kind] - 1, wrap = fixed - 1;
    i32 prev_offset = 0;
    for (u32 j = 0, t = 0; j < n; j = j == 0 ? 2 : j + 1) {
      u32 c = table[t];
      t = t == last ? wrap : t + 1;
      u32 v;
      if (!value(c, &v)) return ~0u;
      if (c == NAME) {
        if (v >= string_count) return ~0u;
      } else if (c == TYPE) {
        if (v != 0 && (v = local_id(pairs, n_records, v)) == 0) return ~0u;
      } else if (c == OFFSET) {
        prev_offset += (i32)((v >> 1) ^ (0u - (v & 1)));
        v = (u32)prev_offset;
      }
      rec[j] = v;
    }
    w += (u32)n;
  }
  starts[n_records] = w;
  for (u32 c = 0; c < ORDER; c++)
    if (pos[c] != end[c]) return ~0u;
  return w;
}

/* Moves the stored records into blob order at the start of `words`: record r is the stored record of rank
 * slot[r]; runs of consecutive ones move at once. */
APART void to_blob_order(void) {
  for (u32 k = 0; k < n_records; k++) slot[(u32)pairs[k]] = k;
  const u32 *stored = words + capacity;
  for (u32 r = 0, at = 0; r < n_records;) {
    u32 next = r + 1;
    while (next < n_records && slot[next] == slot[next - 1] + 1) next++;
    u32 from = starts[slot[r]], to = starts[slot[r] + next - r];
    copy((u8 *)(words + at), (const u8 *)(stored + from), 4 * (to - from));
    at += to - from;
    r = next;
  }
}

/* Turns the name words of the `count` type words from global string ids into offsets in the string section, laid
 * out in order of first use after the empty string (`used` receives the ids in that order, `*n_used` their count).
 * The string section's length, or ~0 when it would exceed `size`. */
APART u64 name_offsets(u32 count, u32 *used, u32 *n_used, u32 size) {
  for (u32 s = 0; s < string_count; s++) seen[s] = -1;
  seen[0] = 0;
  used[0] = 0;
  u32 n = 1;
  u64 str_len = string_starts[1] - string_starts[0];
  for (u32 at = 0; at < count;) {
    u32 info = words[at + 1];
    u32 kind = (info >> 24) & 0x1f;
    u32 step = ELEMENT_WORDS[kind];
    u32 record_end = at + FIXED_WORDS[kind] + step * (info & 0xffff);
    i32 name = ELEMENT_NAME[kind];
    for (u32 q = at, next = name < 0 ? record_end : at + FIXED_WORDS[kind] + (u32)name; q < record_end;) {
      u32 id = words[q];
      i32 offset = seen[id];
      if (offset < 0) {
        offset = (i32)str_len;
        seen[id] = offset;
        used[n++] = id;
        str_len += string_starts[id + 1] - string_starts[id];
        if (str_len > size) return ~0ull;
      }
      words[q] = (u32)offset;
      q = next;
      next += step;
    }
    at = record_end;
  }
  *n_used = n;
  return str_len;
}

/* Writes the BTF: header, the `count` type words, then the `n_used` strings of `used` (runs of consecutive ids,
 * consecutive in the table, copied at once). */
APART void write_btf(u8 *out, int little, u32 count, const u32 *used, u32 n_used, u32 str_len) {
  u32 type_len = 4 * count;
  out[0] = little ? 0x9f : 0xeb;
  out[1] = little ? 0xeb : 0x9f;
  out[2] = 1;
  out[3] = 0;
  put32(out + 4, BTF_HEADER_LEN, little);
  put32(out + 8, 0, little);
  put32(out + 12, type_len, little);
  put32(out + 16, type_len, little);
  put32(out + 20, str_len, little);
  u8 *o = out + BTF_HEADER_LEN;
  if (little) copy(o, (const u8 *)words, type_len);
  else for (u32 k = 0; k < count; k++) put32(o + 4 * k, words[k], 0);
  o += type_len;
  for (u32 k = 0; k < n_used;) {
    u32 next = k + 1;
    while (next < n_used && used[next] == used[next - 1] + 1) next++;
    u32 from = string_starts[used[k]], to = string_starts[used[next - 1] + 1];
    copy(o, data + from, to - from);
    o += to - from;
    k = next;
  }
}

/**
 * Where blob `i` (of rebuilt size `size`) is: a verbatim blob's place in the section, or a BTF blob rebuilt from
 * its columns into scratch memory, valid until the next call (the caller copies it out); 0 when its columns are
 * not exactly what src/format/btf-rebuild.ts accepts.
 */
EXPORT(blob) const u8 *blob(u32 i, u32 size) {
  heap_release(scratch); /* the previous blob has been copied out */
  if (i >= blob_count) return 0;
  if (modes[i] == 0) return data + ranges[2 * COLUMNS * i];
  n_records = records[i];
  u64 value_bytes = 0;
  for (u32 c = 0; c < COLUMNS; c++) {
    pos[c] = ranges[2 * (COLUMNS * i + c)];
    end[c] = ranges[2 * (COLUMNS * i + c) + 1];
    if (c != ORDER) value_bytes += end[c] - pos[c];
  }
  u32 room = n_records ? n_records : 1;
  pairs = grab(16ull * room);
  slot = grab(4ull * room);
  if (!pairs || !slot || !read_order()) return 0;
  sort_pairs(pairs, pairs + n_records, n_records);
  for (u32 k = 1; k < n_records; k++)
    if ((pairs[k] >> 32) == (pairs[k - 1] >> 32)) return 0;
  /* Each value takes at least a byte and gives at most a word; the strings come from the table. */
  capacity = size >= BTF_HEADER_LEN ? (size - BTF_HEADER_LEN) >> 2 : 0;
  u64 string_bytes = string_starts[string_count] - string_starts[0];
  if ((u64)n_records * 2 > end[HEADER] - pos[HEADER] || (u64)n_records * 3 > capacity ||
      (u64)capacity > value_bytes + string_bytes / 4)
    return 0;
  words = grab(8ull * capacity);
  starts = grab(4ull * (n_records + 1));
  if (!words || !starts) return 0;
  u32 count = read_records();
  if (count == ~0u) return 0;
  to_blob_order();
  u32 *used = grab(4ull * (count + 1 < string_count ? count + 1 : string_count));
  u32 n_used;
  if (!used) return 0;
  u64 str_len = name_offsets(count, used, &n_used, size);
  if (str_len == ~0ull || BTF_HEADER_LEN + 4ull * count + str_len != size) return 0;
  u8 *out = grab(size);
  if (!out) return 0;
  write_btf(out, modes[i] == 1, count, used, n_used, (u32)str_len);
  return out;
}
