/**
 * The WebAssembly decoder (packages/runtime/wasm) against the JavaScript one, the reference that names what is
 * wrong. On real reduced BTFs (little- and big-endian, drifted variants, a verbatim blob, three groups) and on
 * mutated data sections, blob sizes and index sections (fast-check, seeded): both accept exactly the same data
 * sections and blobs and give the same bytes; both accept the same index headers, and every kernel the WebAssembly
 * index answers for gets the JavaScript index's answer (the JavaScript index answers what it leaves). Without
 * WebAssembly (`node --jitless`) a bundle decodes through the JavaScript decoder alone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { decodeBundle } from '@btf-bundle/runtime';
import {
  BundleIndex,
  ByteReader,
  ByteWriter,
  DataSection,
  MAX_NATIVE_SECTION,
  NativeDecoder,
} from '@btf-bundle/runtime/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftBtf } from '../../../bench/lib/drift.js';
import { loadSet } from '../../runtime/test/helpers.js';
import { Btf } from '../src/btf/btf.js';
import { encodeBundle } from '../src/bundle/encode.js';
import { mutate, mutations } from './bad-input-helpers.js';
import { byteSwapBtf } from './btf-helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const kernels = loadSet('ab');
const base = kernels[2]!;
const btf = Btf.parse(base.blob);
const structs = new Set<string>();
for (let id = 1; id < btf.typeCount; id++) if (btf.kind(id) === 4 && btf.name(id)) structs.add(btf.name(id));
const input = {
  kernels: [
    ...kernels,
    ...[1, 2, 3].map((seed) => ({
      key: { ...base.key, release: `6.1.0-47.${seed}-amd64` },
      blob: driftBtf(base.blob, structs, 7, seed),
    })),
    { key: { ...base.key, arch: 's390x', release: '6.1.0-47-s390x' }, blob: byteSwapBtf(base.blob) },
    {
      key: { ...base.key, distro: 'ubuntu', version: '22.04', release: '5.15.0-91-generic' },
      blob: base.blob,
    },
    {
      key: { ...base.key, release: '6.1.0-0-raw' },
      blob: new TextEncoder().encode('not a BTF, kept verbatim'),
    },
  ],
  failed: [],
  objects: [],
  meta: {},
};
const bundle = encodeBundle(input).bytes;
const header = new DataView(bundle.buffer, bundle.byteOffset);
const indexEnd = 28 + header.getUint32(16, true);
const index = new Uint8Array(brotliDecompressSync(bundle.subarray(28, indexEnd)));
const data = new Uint8Array(brotliDecompressSync(bundle.subarray(indexEnd)));
const decoded = decodeBundle(bundle);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** The distinct blobs' sizes, in blob order (numbered by their first kernel in bundle order). */
const sizes = [
  ...new Map(decoded.kernels.map((id) => [sha256(decoded.get(id)!), decoded.get(id)!.length])),
].map(([, size]) => size);

/** Every blob of the section as the JavaScript decoder gives it (hex), 'refused' for a blob or section it refuses. */
function javascript(section: Uint8Array, blobSizes: number[]): string[] | 'refused' {
  let decoder: DataSection;
  try {
    decoder = new DataSection(new ByteReader(section, 'bundle data'), blobSizes);
  } catch {
    return 'refused';
  }
  return blobSizes.map((_, i) => {
    try {
      return Buffer.from(decoder.get(i)).toString('hex');
    } catch {
      return 'refused';
    }
  });
}

/** The same through the WebAssembly decoder. */
function native(section: Uint8Array, blobSizes: number[]): string[] | 'refused' {
  const decoder = NativeDecoder.create()!;
  if (!decoder.openData(section, blobSizes)) return 'refused';
  return blobSizes.map((_, i) => {
    const blob = decoder.blob(i);
    return blob ? Buffer.from(blob).toString('hex') : 'refused';
  });
}

/** Ids to look up in a (mutated) index: every kernel's, absent releases and groups, ids that are not ASCII. */
const ids = [
  'debian/12/x86_64/6.1.0-1-amd64',
  'debian/12/x86_64/6.1.0-2-amd64',
  `debian/12/x86_64/${'a'.repeat(128)}`,
  ...decoded.kernels,
  ...decoded.kernels.map((id) => `${id}x`),
  ...decoded.kernels.map((id) => id.slice(0, -1)),
  'debian/12/x86_64',
  'nope/1/x86_64/1',
  `${decoded.kernels[0]!.slice(0, -1)}é`,
];

/** Per id: the blob number the JavaScript index gives (-1: not in the bundle), or 'refused' when it throws. */
function javascriptIndex(section: Uint8Array): (number | 'refused')[] | 'refused' {
  let reader: BundleIndex;
  try {
    reader = new BundleIndex(section);
  } catch {
    return 'refused';
  }
  return ids.map((id) => {
    try {
      const i = reader.ordinal(id);
      return i === undefined ? -1 : reader.blobOf(i);
    } catch {
      return 'refused';
    }
  });
}

/** The same through the WebAssembly index; 'left' where it leaves the answer to the JavaScript index. */
function nativeIndex(section: Uint8Array): (number | 'left')[] | 'refused' {
  const decoder = NativeDecoder.create()!;
  if (!decoder.openIndex(section)) return 'refused';
  return ids.map((id) => decoder.find(id) ?? 'left');
}

/** Whether the WebAssembly index's answers are the JavaScript index's, where it gives one. */
function agrees(got: (number | 'left')[] | 'refused', want: (number | 'refused')[] | 'refused'): boolean {
  if (got === 'refused' || want === 'refused') return got === want;
  return got.every((answer, k) => answer === 'left' || answer === want[k]);
}

/** A group of a crafted index: its prefix bytes, then each release's shared length and rest (bytes, joined by \n). */
interface CraftedGroup {
  prefix: Uint8Array;
  shared: number[];
  rests: Uint8Array;
  kernels?: number;
}

const text = (s: string) => new TextEncoder().encode(s);

/** An index section with these groups (blob k for kernel k, blob sizes 100), or with the blob numbers given. */
function craftIndex(groups: CraftedGroup[], blobOf?: number[]): Uint8Array {
  const kernels = groups.reduce((n, g) => n + (g.kernels ?? g.shared.length), 0);
  const w = new ByteWriter();
  const blobs = Math.max(1, kernels);
  w.varint(kernels);
  w.varint(blobs);
  w.varint(groups.length);
  const bodies = groups.map((g) => {
    const body = new ByteWriter();
    for (const n of g.shared) body.varint(n);
    body.bytes(g.rests);
    body.byte(0);
    return body.finish();
  });
  groups.forEach((g, i) => {
    w.bytes(g.prefix);
    w.byte(0);
    w.varint(g.kernels ?? g.shared.length);
    w.varint(bodies[i]!.length);
  });
  for (const body of bodies) w.bytes(body);
  for (let k = 0; k < kernels; k++) w.byte(blobOf?.[k] ?? k);
  for (let b = 0; b < blobs; b++) w.varint(100);
  w.varint(0); // failed kernels
  w.varint(0); // objects
  w.bytes(text('{}'));
  w.byte(0);
  return w.finish();
}

const debian = (rests = '6.1.0-1-amd64\n2-amd64', shared = [0, 6]): CraftedGroup => ({
  prefix: text('debian/12/x86_64'),
  shared,
  rests: text(rests),
});

/** Indexes the JavaScript index refuses or reads in an unusual way, each made to test one rule of the header or a group. */
const CRAFTED: Record<string, Uint8Array> = {
  valid: craftIndex([debian()]),
  'two groups with one prefix': craftIndex([debian(), debian()]),
  'one prefix, once with a byte order mark': craftIndex([
    debian(),
    { ...debian(), prefix: text('\ufeffdebian/12/x86_64') },
  ]),
  'a prefix with a byte order mark': craftIndex([{ ...debian(), prefix: text('\ufeffdebian/12/x86_64') }]),
  'releases with a byte order mark': craftIndex([
    { ...debian(), rests: text('\ufeff6.1.0-1-amd64\n2-amd64') },
  ]),
  'a group of no kernels': craftIndex([debian(), { ...debian('', []), prefix: text('ubuntu/22.04/x86_64') }]),
  'a surrogate in a prefix': craftIndex([{ ...debian(), prefix: Uint8Array.of(0x61, 0xed, 0xa0, 0x80) }]),
  'an overlong form in a prefix': craftIndex([{ ...debian(), prefix: Uint8Array.of(0x61, 0xc0, 0xaf) }]),
  'a value past U+10FFFF in a prefix': craftIndex([
    { ...debian(), prefix: Uint8Array.of(0xf4, 0x90, 0x80, 0x80) },
  ]),
  'a cut sequence in a prefix': craftIndex([{ ...debian(), prefix: Uint8Array.of(0x61, 0xe2, 0x82) }]),
  'a prefix of four parts': craftIndex([{ ...debian(), prefix: text('debian/12/x86_64/x') }]),
  'a newline in a prefix': craftIndex([{ ...debian(), prefix: text('debian/12\nx/x86_64') }]),
  'a release ".."': craftIndex([debian('..\n6.1.0-2-amd64', [0, 0])]),
  'a release of 129 characters': craftIndex([debian(`${'a'.repeat(129)}\n6.1.0-2-amd64`, [0, 0])]),
  'a release of 128 characters': craftIndex([debian(`${'a'.repeat(128)}\n6.1.0-2-amd64`, [0, 0])]),
  'a shared length past the previous release': craftIndex([debian('6.1.0-1-amd64\n2-amd64', [0, 14])]),
  'fewer releases than kernels': craftIndex([{ ...debian(), kernels: 3, shared: [0, 6, 0] }]),
  'more releases than kernels': craftIndex([debian('6.1.0-1-amd64\n2-amd64\nx', [0, 6])]),
  'a blob number out of range': craftIndex([debian()], [0, 7]),
};

/** Column values of a two-record blob: [1] INT 'int' size 4, [2] PTR to [1] (record columns in schema order). */
const TWO_RECORDS = {
  Header: [1, 0, 2, 0],
  Name: [1, 0],
  Type: [1],
  Size: [4],
  Offset: [] as number[],
  Value: [] as number[],
  Misc: [0x01000020],
  Order: [0, 0],
};

/** A data section of the strings "", "int" and that blob with `changes` to its columns (rebuilt size 57). */
function craftData(changes: Partial<typeof TWO_RECORDS>): Uint8Array {
  const w = new ByteWriter();
  w.varint(2);
  w.bytes(text('\0int\0'));
  const parts = Object.values({ ...TWO_RECORDS, ...changes }).map((values) => {
    const c: number[] = [];
    for (let v of values) {
      // LEB128 of any safe integer: values past 32 bits included, which ByteWriter refuses to write.
      for (; v >= 0x80; v = Math.floor(v / 0x80)) c.push((v % 0x80) | 0x80);
      c.push(v);
    }
    return Uint8Array.from(c);
  });
  w.varint(1); // little-endian BTF
  w.varint(2); // records
  for (const p of parts) w.varint(2 * p.length);
  for (const p of parts) w.bytes(p);
  return w.finish();
}

/** Data sections at the edges of what a blob's columns may hold, each named by what it changes. */
const CRAFTED_DATA: Record<string, Uint8Array> = {
  valid: craftData({}),
  'a string id equal to the string count': craftData({ Name: [2, 0] }),
  'the last string id': craftData({ Name: [1, 1] }),
  'a type naming a schema id the blob lacks': craftData({ Type: [3] }),
  'a type naming the record itself': craftData({ Type: [2] }),
  'a schema id given twice': craftData({ Order: [1, 1] }),
  'a zero schema id': craftData({ Order: [0xffffffff, 0] }),
  'an unknown kind': craftData({ Header: [1, 0, 0x1f, 0] }),
  'a kind flag past the header bits': craftData({ Header: [0x41, 0, 2, 0] }),
  'a value left over': craftData({ Size: [4, 4] }),
  'a value missing': craftData({ Misc: [] }),
  'a varint past 32 bits': craftData({ Size: [2 ** 32] }),
};

describe('WebAssembly data-section decoder', () => {
  it('rebuilds every blob of a real bundle as the JavaScript decoder does (both byte orders, verbatim)', () => {
    expect(sizes.length).toBeGreaterThan(5);
    const expected = javascript(data, sizes);
    expect(expected).not.toContain('refused');
    expect(native(data, sizes)).toEqual(expected);
  });

  it(`mutated sections and sizes (${RUNS} runs): accepts and refuses what the JavaScript decoder does`, () => {
    const resize = fc.option(
      fc.record({ blob: fc.nat({ max: sizes.length - 1 }), size: fc.nat({ max: 1 << 16 }) }),
    );
    fc.assert(
      fc.property(mutations(data.length), resize, (ms, change) => {
        const section = ms.reduce(mutate, data);
        const blobSizes = [...sizes];
        if (change) blobSizes[change.blob] = change.size;
        expect(native(section, blobSizes)).toEqual(javascript(section, blobSizes));
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0x3a5), numRuns: RUNS },
    );
  });

  it(`bits flipped in the blob heads (${RUNS} runs): lengths become shared columns and back, the same verdicts`, () => {
    // The heads lie between the string table and the first column: flipping a value's low bit turns a column's
    // length into a reference to an earlier blob's column (or a reference into a length).
    const reader = new DataSection(new ByteReader(data, 'bundle data'), sizes);
    const starts = (reader as unknown as { ranges: Int32Array }).ranges.filter((_, k) => k % 2 === 0);
    const headsEnd = Math.min(...starts.filter((at) => at > 0));
    const strings = new ByteReader(data, 'bundle data');
    for (let n = strings.varint(); n > 0; n--) strings.skipCString();
    const headsAt = strings.pos;
    expect(headsEnd).toBeGreaterThan(headsAt);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ at: fc.integer({ min: headsAt, max: headsEnd - 1 }), bit: fc.nat({ max: 7 }) }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        (flips) => {
          const section = flips.reduce<Uint8Array>((b, f) => mutate(b, { op: 'flip', ...f }), data);
          expect(native(section, sizes)).toEqual(javascript(section, sizes));
        },
      ),
      { seed: Number(process.env.FUZZ_SEED ?? 0x4ead), numRuns: RUNS },
    );
  });

  it('answers for every id of a real index as the JavaScript index does, leaving only ids that are not ASCII', () => {
    const want = javascriptIndex(index);
    if (want === 'refused' || want.includes('refused'))
      throw new Error('the JavaScript index refuses a real index');
    expect(nativeIndex(index)).toEqual(
      want.map((answer, k) => (/^[\x00-\x7f]*$/.test(ids[k]!) ? answer : 'left')),
    );
  });

  it.each(Object.entries(CRAFTED_DATA))(
    'crafted data section, %s: the same verdict and bytes',
    (_, section) => {
      expect(native(section, [57])).toEqual(javascript(section, [57]));
    },
  );

  it.each(Object.entries(CRAFTED))('crafted index, %s: the same header verdict and answers', (_, section) => {
    const [got, want] = [nativeIndex(section), javascriptIndex(section)];
    expect(agrees(got, want), JSON.stringify({ got, want })).toBe(true);
  });

  it(`mutated index sections (${RUNS} runs): the same headers accepted, the same answers given`, () => {
    fc.assert(
      fc.property(mutations(index.length), (ms) => {
        const section = ms.reduce(mutate, index);
        const [got, want] = [nativeIndex(section), javascriptIndex(section)];
        expect(agrees(got, want), JSON.stringify({ got, want })).toBe(true);
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0x1de), numRuns: RUNS },
    );
  });

  it('a trap of the module counts as a refusal: the JavaScript decoders answer', async () => {
    const trapping = (bytes: Uint8Array, exportName: string) => {
      const opened = decodeBundle(bytes);
      const native = (opened as unknown as { native: { decoder: Record<string, unknown> } }).native;
      const real = native.decoder;
      native.decoder = new Proxy(real, {
        get: (target, key) =>
          key === exportName
            ? () => {
                throw Object.assign(new Error('unreachable'), { name: 'RuntimeError' }); // as WebAssembly traps
              }
            : target[key as string],
      });
      return opened;
    };
    for (const name of ['find', 'blob']) {
      const opened = trapping(bundle, name);
      for (const id of decoded.kernels) expect(sha256(opened.get(id)!)).toBe(sha256(decoded.get(id)!));
    }
  });

  it('leaves sections over 64 MiB to the JavaScript decoder, which reads them in place (no second copy)', () => {
    const decoder = NativeDecoder.create()!;
    const big = new Uint8Array(MAX_NATIVE_SECTION + 1);
    expect(decoder.openIndex(big)).toBe(false);
    expect(decoder.openData(big, [])).toBe(false);
    expect(NativeDecoder.create()!.openIndex(index)).toBe(true);
  });

  it.each([
    ['without WebAssembly (node --jitless)', ['--jitless'], '', 'undefined'],
    ['when an instance cannot reserve its memory (ulimit -v 4 GiB)', [], 'ulimit -v 4194304; ', 'object'],
  ])('%s: the JavaScript decoder gives the same BTFs', (_, flags, limit, webAssembly) => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-fallback-'));
    try {
      const file = join(dir, 'bundle.btfb');
      writeFileSync(file, bundle);
      const runtime = new URL('../../runtime/dist/index.js', import.meta.url).href;
      const script = `
        const { decodeBundle, createBtfBundle } = await import(${JSON.stringify(runtime)});
        const { createHash } = await import('node:crypto');
        const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(file)});
        const hash = (b) => createHash('sha256').update(b).digest('hex');
        const eager = decodeBundle(bytes);
        const api = createBtfBundle(() => bytes);
        const out = [typeof WebAssembly];
        for (const id of eager.kernels) out.push(hash(eager.get(id)), hash((await api.findBtf(id)).bytes));
        console.log(JSON.stringify(out));`;
      const node = [process.execPath, ...flags, '--input-type=module', '-e', script]
        .map((a) => `'${a.replaceAll("'", "'\\''")}'`)
        .join(' ');
      const output = execFileSync('sh', ['-c', `${limit}exec ${node}`], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const expected = decoded.kernels.flatMap((id) => [sha256(decoded.get(id)!), sha256(decoded.get(id)!)]);
      expect(JSON.parse(output)).toEqual([webAssembly, ...expected]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
