import { describe, expect, it } from 'vitest';
import {
  applyEdits,
  findPlaceholders,
  needsBundle,
  type PlaceholderValues,
  placeholder,
  placeholderEdits,
} from '../src/core/placeholders.js';

const VALUES: PlaceholderValues = {
  bytes: new Uint8Array([1, 2, 3]),
  manifest: {
    kernels: ['debian/12/x86_64/6.1.0-54-amd64'],
    objects: [{ name: 'probe.bpf.o', sha256: '00' }],
    stats: { kernels: 1, failed: 0, blobs: 1, blobBytes: 3, kernelBytes: 3, bundleBytes: 64 },
  },
  fileName: 'btf-bundle-abcd1234.btfb',
};

/** What a minifier may render: other quotes, other spacing, two chunks' worth of placeholders. */
const RENDERED = [
  "const a=createBtfBundle(()=>readAsset(`__btf_bundle__:bundle-file`),{...{},manifest:'__btf_bundle__:manifest'});",
  'const b=bytesFromBase64("__btf_bundle__:data");',
  'const p="__btf_bundle__:file:probe-1234abcd.bpf.o";',
  'const keep="__btf_bundle__:nothing";',
].join('\n');

const location = (file: string) => `(__dirname + ${JSON.stringify(`/${file}`)})`;

describe('placeholder rewrite', () => {
  it('finds every placeholder whatever the quotes, and nothing else', () => {
    const found = findPlaceholders(RENDERED);
    expect(found.map((p) => [p.kind, p.file, RENDERED.slice(p.start, p.end)])).toEqual([
      ['bundle-file', undefined, '`__btf_bundle__:bundle-file`'],
      ['manifest', undefined, "'__btf_bundle__:manifest'"],
      ['data', undefined, '"__btf_bundle__:data"'],
      ['file', 'probe-1234abcd.bpf.o', '"__btf_bundle__:file:probe-1234abcd.bpf.o"'],
    ]);
    expect(needsBundle(found)).toBe(true);
    expect(findPlaceholders('no placeholder here')).toEqual([]);
  });

  it('replaces them with the bundle, its manifest and run-time locations', () => {
    const code = applyEdits(RENDERED, placeholderEdits(findPlaceholders(RENDERED), VALUES, location));
    expect(code).toBe(
      [
        'const a=createBtfBundle(()=>readAsset((__dirname + "/btf-bundle-abcd1234.btfb")),' +
          '{...{},manifest:' +
          JSON.stringify(VALUES.manifest) +
          '});',
        'const b=bytesFromBase64("AQID");',
        'const p=(__dirname + "/probe-1234abcd.bpf.o");',
        'const keep="__btf_bundle__:nothing";',
      ].join('\n'),
    );
  });

  it('needs no bundle for file locations only', () => {
    const code = 'export default "__btf_bundle__:file:x-1.bpf.o";';
    const found = findPlaceholders(code);
    expect(needsBundle(found)).toBe(false);
    expect(
      applyEdits(
        code,
        placeholderEdits(found, undefined, () => '"/src/x.bpf.o"'),
      ),
    ).toBe('export default "/src/x.bpf.o";');
  });

  it.each([
    'my probe-1234abcd.bpf.o',
    'probe+v2-1234abcd.bpf.o',
    'a@b-1234abcd.bpf.o',
    `q"uo'te\`-1234abcd.bpf.o`,
    'probé-1234abcd.bpf.o',
    '50%-1234abcd.bpf.o',
    'x(y)~!*#?-1234abcd.bpf.o',
    '探针-1234abcd.bpf.o',
  ])('finds the file placeholder of %j, whatever quotes a minifier chose', (name) => {
    const literal = placeholder('file', name);
    expect(literal).toMatch(/^"__btf_bundle__:file:[\w.%-]+"$/); // nothing a bundler escapes or re-quotes
    for (const quote of ['"', "'", '`']) {
      const code = `const p=${quote}${JSON.parse(literal)}${quote};`;
      expect(findPlaceholders(code)).toEqual([{ start: 8, end: code.length - 1, kind: 'file', file: name }]);
    }
  });

  it('refuses a bundle placeholder without a bundle', () => {
    const found = findPlaceholders('f("__btf_bundle__:data")');
    expect(() => placeholderEdits(found, undefined, location)).toThrow(/no bundle for placeholder 'data'/);
  });
});
