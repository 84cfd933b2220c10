import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RUNTIME_ID } from '../src/core/codegen.js';
import { resolveImport } from '../src/core/resolve.js';
import { RUNTIME_ENTRY } from '../src/core/runtime-module.js';

const FRAMEWORKS = ['vite', 'rollup', 'webpack', 'rspack'];

describe('resolveImport', () => {
  it.each(FRAMEWORKS)(
    "%s, runtimeModule 'bundled': the runtime and the package it re-exports are files",
    (fw) => {
      expect(resolveImport(fw, 'bundled', RUNTIME_ID, '/app/src/main.js')).toEqual({
        id: RUNTIME_ENTRY,
        external: false,
      });
      const pkg = resolveImport(fw, 'bundled', '@btf-bundle/runtime', RUNTIME_ENTRY);
      expect(pkg?.external).toBe(false);
      expect(pkg?.id).toMatch(/runtime[/\\]dist[/\\]index\.js$/);
      expect(existsSync(pkg!.id)).toBe(true);
    },
  );

  it.each(FRAMEWORKS)("%s, runtimeModule 'external': the runtime stays an import", (fw) => {
    expect(resolveImport(fw, 'external', RUNTIME_ID, '/app/src/main.js')).toEqual({
      id: RUNTIME_ID,
      external: true,
    });
    expect(resolveImport(fw, 'external', '@btf-bundle/runtime', RUNTIME_ENTRY)).toBeUndefined();
  });

  it("leaves an app's own @btf-bundle/runtime import to the bundler", () => {
    expect(resolveImport('vite', 'bundled', '@btf-bundle/runtime', '/app/src/main.js')).toBeUndefined();
  });

  it('resolves the virtual module, without NUL for esbuild', () => {
    expect(resolveImport('rollup', 'bundled', 'virtual:btf-bundle', undefined)).toEqual({
      id: '\0virtual:btf-bundle',
      external: false,
    });
    expect(resolveImport('esbuild', 'bundled', 'virtual:btf-bundle', undefined)).toEqual({
      id: 'virtual:btf-bundle',
      external: false,
    });
  });

  it('esbuild resolves the runtime in its own hook (file namespace), webpack resolves .bpf.o paths itself', () => {
    expect(resolveImport('esbuild', 'bundled', RUNTIME_ID, '/app/src/main.js')).toBeUndefined();
    expect(resolveImport('webpack', 'bundled', import.meta.filename, undefined)).toBeUndefined();
  });

  it('rollup and vite: .bpf.o imports relative to the importer, the ?path query kept', () => {
    const here = import.meta.dirname;
    expect(
      resolveImport('rollup', 'bundled', '../../core/testdata/opensnoop.bpf.o?path', `${here}/x.js`),
    ).toEqual({
      id: `${here.replace(/unplugin[/\\]test$/, 'core/testdata')}/opensnoop.bpf.o?path`,
      external: false,
    });
    expect(resolveImport('vite', 'bundled', './missing.bpf.o', `${here}/x.js`)).toBeUndefined();
  });
});
