/*
 * The index section's exact lookup (docs/bundle-format.md, "Index"): what src/bundle/index-section.ts's
 * constructor checks when a bundle is opened, then the blob number of one kernel id, its group decoded and checked
 * as readGroup and blobOf do. A fresh process so finds its kernel without compiling and interpreting the JavaScript
 * index. It only says whether the input is valid: on a refusal the caller runs the JavaScript index, which throws
 * the typed error naming the offset. The two accept exactly the same inputs and give the same answers
 * (packages/core/test/native-decoder.test.ts).
 */
#include "common.h"

#define MAX_PART 128     /* longest id part: [A-Za-z0-9._+~-]{1,128} */
#define MAX_ID 1024      /* room for an id to look up: four parts and three slashes fit */
#define NOT_FOUND (-1)
#define REFUSED (-2)

static const u8 *ix;             /* the index section */
static u32 kernel_count, blob_count, group_count;
static u32 *group_prefix;        /* per group: where its prefix starts (past a byte order mark) */
static u32 *group_prefix_len;    /* per group: its length */
static u32 *group_first;         /* per group: bundle order number of its first kernel */
static u32 *group_at, *group_end; /* per group: its releases */
static u32 *by_prefix;           /* group numbers sorted by prefix */
static u32 blob_of_at, blob_width;
static u32 *blob_sizes;          /* per blob: its rebuilt size */
static u8 id_bytes[MAX_ID];

/* 1 when bytes[0, n) are UTF-8 as a fatal TextDecoder accepts it (no overlong forms, surrogates or values past
 * U+10FFFF), else 0. */
static int utf8(const u8 *s, u32 n) {
  for (u32 i = 0; i < n;) {
    u8 b = s[i];
    if (b < 0x80) { i++; continue; }
    u32 more = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (more == 0 || n - i <= more) return 0;
    u8 lo = b == 0xe0 ? 0xa0 : b == 0xf0 ? 0x90 : 0x80;
    u8 hi = b == 0xed ? 0x9f : b == 0xf4 ? 0x8f : 0xbf;
    if (s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (u32 k = 2; k <= more; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return 0;
    i += more + 1;
  }
  return 1;
}

/* Length of a leading UTF-8 byte order mark (which TextDecoder drops): 3 or 0. */
static u32 bom(const u8 *s, u32 n) { return n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf ? 3 : 0; }

/* Compares a[0, an) with b[0, bn) as byte strings: <0, 0 or >0. */
static i32 compare(const u8 *a, u32 an, const u8 *b, u32 bn) {
  for (u32 i = 0; i < an && i < bn; i++)
    if (a[i] != b[i]) return (i32)a[i] - (i32)b[i];
  return an < bn ? -1 : an > bn ? 1 : 0;
}

static i32 compare_groups(u32 g, u32 h) {
  return compare(ix + group_prefix[g], group_prefix_len[g], ix + group_prefix[h], group_prefix_len[h]);
}

/* Moves by_prefix[r] down the heap of the first `n` entries (largest prefix on top). */
static void sift(u32 r, u32 n) {
  u32 *a = by_prefix;
  for (;;) {
    u32 child = 2 * r + 1;
    if (child >= n) return;
    if (child + 1 < n && compare_groups(a[child + 1], a[child]) > 0) child++;
    if (compare_groups(a[r], a[child]) >= 0) return;
    u32 t = a[r];
    a[r] = a[child];
    a[child] = t;
    r = child;
  }
}

/* Sorts by_prefix by prefix: a heap sort, O(n log n) comparisons whatever the input. */
static void sort_groups(void) {
  u32 *a = by_prefix, n = group_count;
  for (u32 r = n / 2; r-- > 0;) sift(r, n);
  for (u32 last = n; last-- > 1;) {
    u32 t = a[0];
    a[0] = a[last];
    a[last] = t;
    sift(0, last);
  }
}

/**
 * Reads the header of the index section `at`, `len` (copied where reserve() said): counts, group table,
 * blob sizes, as src/bundle/index-section.ts's constructor does. 1 when that constructor accepts it, else 0.
 */
EXPORT(open_index) i32 open_index(const u8 *at, u32 len) {
  ix = at;
  u32 p = 0;
  u64 kernels = read_count(ix, &p, len, len - p);
  u64 blobs = read_count(ix, &p, len, len - p);
  if (kernels == ~0ull || blobs == ~0ull || (kernels > 0 && blobs == 0)) return 0;
  u64 groups = read_count(ix, &p, len, kernels);
  if (groups == ~0ull) return 0;
  kernel_count = (u32)kernels, blob_count = (u32)blobs, group_count = (u32)groups;
  group_prefix = grab(4ull * groups), group_prefix_len = grab(4ull * groups), group_first = grab(4ull * groups);
  group_at = grab(4ull * groups), group_end = grab(4ull * groups), by_prefix = grab(4ull * groups);
  if (!group_prefix || !group_prefix_len || !group_first || !group_at || !group_end || !by_prefix) return 0;
  u32 first = 0;
  for (u32 g = 0; g < group_count; g++) {
    u32 start = p;
    while (p < len && ix[p] != 0) p++;
    if (p >= len || !utf8(ix + start, p - start)) return 0;
    u32 skip = bom(ix + start, p - start);
    group_prefix[g] = start + skip, group_prefix_len[g] = p - start - skip;
    p++;
    u64 entries = read_count(ix, &p, len, kernel_count - first);
    if (entries == ~0ull || entries == 0) return 0;
    u64 bytes = read_count(ix, &p, len, len - p);
    if (bytes == ~0ull) return 0;
    group_first[g] = first;
    group_end[g] = (u32)bytes; /* the group's byte count until the releases are placed below */
    first += (u32)entries;
    by_prefix[g] = g;
  }
  if (first != kernel_count) return 0;
  sort_groups();
  for (u32 k = 1; k < group_count; k++)
    if (compare_groups(by_prefix[k - 1], by_prefix[k]) == 0) return 0;
  for (u32 g = 0; g < group_count; g++) {
    if (group_end[g] > len - p) return 0;
    group_at[g] = p;
    p += group_end[g];
    group_end[g] = p;
  }
  blob_width = blob_count <= 0x100 ? 1 : blob_count <= 0x10000 ? 2 : 4;
  blob_of_at = p;
  if ((u64)kernel_count * blob_width > len - p) return 0;
  p += kernel_count * blob_width;
  blob_sizes = grab(4ull * (blob_count ? blob_count : 1));
  if (!blob_sizes) return 0;
  for (u32 b = 0; b < blob_count; b++) {
    u64 size = read_varint(ix, &p, len);
    if (size > 0xffffffffull) return 0;
    blob_sizes[b] = (u32)size;
  }
  return 1;
}

/** The number of blobs read by open_index(). */
EXPORT(index_blob_count) u32 index_blob_count(void) { return blob_count; }

/** The blob sizes read by open_index(). */
EXPORT(index_blob_sizes) u32 *index_blob_sizes(void) { return blob_sizes; }

/** Where the caller writes the id for find() (at most MAX_ID bytes). */
EXPORT(id_buffer) u8 *id_buffer(void) { return id_bytes; }

/* 1 when s[0, n) is an id part: [A-Za-z0-9._+~-]{1,128}, not "." or "..". */
static int part(const u8 *s, u32 n) {
  if (n == 0 || n > MAX_PART || (s[0] == '.' && (n == 1 || (n == 2 && s[1] == '.')))) return 0;
  for (u32 i = 0; i < n; i++) {
    u8 c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '+' || c == '~' || c == '-'))
      return 0;
  }
  return 1;
}

/* The group whose prefix is s[0, n), or -1. */
static i32 group_of(const u8 *s, u32 n) {
  u32 lo = 0, hi = group_count;
  while (lo < hi) {
    u32 mid = (lo + hi) / 2;
    u32 g = by_prefix[mid];
    i32 c = compare(ix + group_prefix[g], group_prefix_len[g], s, n);
    if (c == 0) return (i32)g;
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return -1;
}

/* A group's decoding: one small function per loop (APART). */
/* 1 when group g's prefix is three id parts separated by '/'. */
APART int prefix_valid(u32 g) {
  const u8 *prefix = ix + group_prefix[g];
  u32 prefix_len = group_prefix_len[g], from = 0, parts = 0;
  for (u32 i = 0; i <= prefix_len; i++)
    if (i == prefix_len || prefix[i] == '/') {
      if (++parts > 3 || !part(prefix + from, i - from)) return 0;
      from = i + 1;
    }
  return parts == 3;
}

/* Where the first `byte` at or after p is in the index, or `end`. */
APART u32 next_byte(u32 p, u32 end, u8 byte) {
  while (p < end && ix[p] != byte) p++;
  return p;
}

/* Past `count` varints of at most 32 bits from p, or 0 when one is longer or runs past `end`. */
APART u32 skip_varints(u32 p, u32 end, u32 count) {
  for (u32 i = 0; i < count; i++)
    if (read_varint(ix, &p, end) > 0xffffffffull) return 0;
  return p;
}

/*
 * Position among the `kernels` front-coded releases (shared lengths as varints from `at`, suffixes as lines from
 * `text` to the NUL at `nul`) of `release` (r[0, n)), NOT_FOUND, or REFUSED when readGroup would refuse them.
 */
APART i32 release_among(u32 kernels, u32 at, u32 end, u32 text, u32 nul, const u8 *release, u32 n) {
  u8 prev[MAX_PART];
  u32 prev_len = 0, rest = text;
  i32 found = NOT_FOUND;
  for (u32 i = 0; i < kernels; i++) {
    if (rest > nul) return REFUSED; /* fewer releases than kernels */
    u32 rest_end = next_byte(rest, nul, '\n');
    u64 shared = read_varint(ix, &at, end);
    if (shared > prev_len || shared + (rest_end - rest) > MAX_PART) return REFUSED;
    copy(prev + shared, ix + rest, rest_end - rest);
    prev_len = (u32)shared + (rest_end - rest);
    if (!part(prev, prev_len)) return REFUSED;
    if (found == NOT_FOUND && compare(prev, prev_len, release, n) == 0) found = (i32)i;
    rest = rest_end + 1;
  }
  return rest == nul + 1 ? found : REFUSED; /* no more releases than kernels */
}

/* Position in group g of `release` (r[0, n)), NOT_FOUND, or REFUSED when readGroup would refuse the group. */
static i32 release_in(u32 g, const u8 *release, u32 n) {
  if (!prefix_valid(g)) return REFUSED;
  u32 kernels = (g + 1 < group_count ? group_first[g + 1] : kernel_count) - group_first[g];
  u32 at = group_at[g], end = group_end[g];
  u32 text = skip_varints(at, end, kernels);
  if (text == 0) return REFUSED;
  u32 nul = next_byte(text, end, 0);
  if (nul + 1 != end || !utf8(ix + text, nul - text)) return REFUSED;
  text += bom(ix + text, nul - text);
  return release_among(kernels, at, end, text, nul, release, n);
}

/**
 * The blob number of the kernel whose id (`distro/version/arch/release`, `len` bytes) the caller wrote at
 * id_buffer(); NOT_FOUND when the bundle has no such kernel; REFUSED when the JavaScript index would
 * throw on the way (the group's releases or the kernel's blob number are not valid) or cannot be answered here.
 */
EXPORT(find) i32 find(u32 len) {
  if (len > MAX_ID) return REFUSED;
  u32 cut = len;
  while (cut > 0 && id_bytes[cut - 1] != '/') cut--;
  if (cut == 0) return REFUSED;
  i32 g = group_of(id_bytes, cut - 1);
  if (g < 0) return NOT_FOUND;
  i32 k = release_in((u32)g, id_bytes + cut, len - cut);
  if (k < 0) return k;
  u32 i = group_first[g] + (u32)k, at = blob_of_at + i * blob_width;
  u32 blob = blob_width == 1 ? ix[at] : blob_width == 2 ? ix[at] | ix[at + 1] << 8
           : ix[at] | ix[at + 1] << 8 | ix[at + 2] << 16 | (u32)ix[at + 3] << 24;
  return blob < blob_count ? (i32)blob : REFUSED;
}
