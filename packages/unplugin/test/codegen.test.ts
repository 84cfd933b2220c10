import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  locationExpression,
  objectModuleCode,
  parseObjectId,
  RESOLVED_VIRTUAL_ID,
  resolvedVirtualId,
  virtualModuleCode,
} from '../src/core/codegen.js';

describe('virtualModuleCode', () => {
  it('inline: the bundle as a base64 placeholder, the defaults as given', () => {
    expect(virtualModuleCode('inline', { nearest: true })).toBe(
      [
        "import { createBtfBundle, bytesFromBase64 } from 'unplugin-btf-bundle/runtime';",
        'const api = createBtfBundle(() => bytesFromBase64("__btf_bundle__:data"), {"nearest":true});',
        'export const { resolveBtf, findBtf, writeBtfFile, detectKernel, kernels, objects, stats, bundle } = api;',
        'export default api;',
        '',
      ].join('\n'),
    );
  });

  it('asset: the emitted file read at run time, the manifest inlined', () => {
    expect(virtualModuleCode('asset', { hostRoot: '/host' })).toBe(
      [
        "import { createBtfBundle, readAsset } from 'unplugin-btf-bundle/runtime';",
        'const api = createBtfBundle(() => readAsset("__btf_bundle__:bundle-file"), ' +
          '{ ...{"hostRoot":"/host"}, manifest: "__btf_bundle__:manifest" });',
        'export const { resolveBtf, findBtf, writeBtfFile, detectKernel, kernels, objects, stats, bundle } = api;',
        'export default api;',
        '',
      ].join('\n'),
    );
  });
});

describe('objectModuleCode', () => {
  it('bytes: the object inlined as base64', () => {
    expect(objectModuleCode('bytes', new Uint8Array([0x7f, 0x45, 0x4c, 0x46]), 'x-00000000.bpf.o')).toBe(
      'import { bytesFromBase64 } from \'unplugin-btf-bundle/runtime\';\nexport default bytesFromBase64("f0VMRg==");\n',
    );
  });

  it('path: a placeholder for the emitted copy', () => {
    expect(objectModuleCode('path', new Uint8Array(), 'probe-1234abcd.bpf.o')).toBe(
      'export default "__btf_bundle__:file:probe-1234abcd.bpf.o";\n',
    );
  });
});

describe('ids', () => {
  it.each([
    ['./probe.bpf.o', { file: './probe.bpf.o', kind: 'bytes' }],
    ['/abs/dir/probe.bpf.o?path', { file: '/abs/dir/probe.bpf.o', kind: 'path' }],
    ['./probe.bpf.o?raw', undefined],
    ['./probe.o', undefined],
    ['\0virtual.bpf.o', undefined],
  ])('parseObjectId(%j)', (id, expected) => {
    expect(parseObjectId(id)).toEqual(expected);
  });

  it('esbuild gets a resolved virtual id without NUL (it lands in the output as a path comment)', () => {
    expect(resolvedVirtualId('esbuild')).toBe('virtual:btf-bundle');
    expect(resolvedVirtualId('esbuild')).not.toContain('\0');
    for (const framework of ['vite', 'rollup', 'webpack', 'rspack']) {
      expect(resolvedVirtualId(framework)).toBe(RESOLVED_VIRTUAL_ID);
    }
  });
});

describe('locationExpression', () => {
  it.each([
    [
      'esm',
      'btf-bundle-1.btfb',
      'decodeURIComponent(new URL("./btf-bundle-1.btfb", import.meta.url).pathname)',
    ],
    [
      'esm',
      '../assets/x.bpf.o',
      'decodeURIComponent(new URL("../assets/x.bpf.o", import.meta.url).pathname)',
    ],
    ['cjs', 'btf-bundle-1.btfb', '(__dirname + "/btf-bundle-1.btfb")'],
  ] as const)('%s %s', (format, relative, expected) => {
    expect(locationExpression(format, relative)).toBe(expected);
  });

  it.each([
    'x.bpf.o',
    '../assets/x.bpf.o',
    'my probe-1.bpf.o',
    'a#b?c-1.bpf.o',
    '50%-1.bpf.o',
    'q"uo\'te-1.bpf.o',
    'probé-1.bpf.o',
  ])('esm: %j is found at its path from the chunk, whatever its characters', (relative) => {
    const expression = locationExpression('esm', relative).replace(
      'import.meta.url',
      JSON.stringify('file:///app/dist%25/chunks/main.mjs'),
    );
    expect(new Function(`return ${expression}`)()).toBe(posix.join('/app/dist%/chunks', relative));
  });
});
