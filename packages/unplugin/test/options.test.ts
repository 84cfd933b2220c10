import { UsageError } from '@btf-bundle/core';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/core/options.js';
import { unplugin } from '../src/index.js';

describe('resolveOptions', () => {
  it('applies defaults', () => {
    expect(resolveOptions({ snapshot: 'snap' })).toEqual({
      snapshot: 'snap',
      objects: [],
      include: undefined,
      exclude: undefined,
      cacheDir: undefined,
      emit: 'inline',
      runtimeModule: 'bundled',
      runtime: {},
      failOn: 'never',
      reportHtml: undefined,
      mode: 'robust',
      workers: undefined,
      root: undefined,
    });
  });

  it('accepts per-arch objects and runtime defaults', () => {
    const options = resolveOptions({
      snapshot: 'snap',
      objects: { x86_64: ['a_x86_bpfel.o'], arm64: ['a_arm64_bpfel.o'] },
      runtime: { nearest: 'bracketed', hostRoot: '/host' },
      reportHtml: 'coverage.html',
      emit: 'asset',
      cacheDir: false,
    });
    expect(options.objects).toEqual({ x86_64: ['a_x86_bpfel.o'], arm64: ['a_arm64_bpfel.o'] });
    expect(options.runtime).toEqual({ nearest: 'bracketed', hostRoot: '/host' });
    expect(options.reportHtml).toBe('coverage.html');
  });

  it.each([
    [undefined, /options must be an object/],
    [{}, /'snapshot'/],
    [{ snapshot: 's', emit: 'file' }, /'emit' must be one of 'inline', 'asset'/],
    [{ snapshot: 's', objects: 'x.bpf.o' }, /'objects'/],
    [{ snapshot: 's', objects: { x86_64: [1] } }, /'objects.x86_64'/],
    [{ snapshot: 's', failOn: 'always' }, /'failOn'/],
    [{ snapshot: 's', runtimeModule: 'inline' }, /'runtimeModule' must be one of 'bundled', 'external'/],
    [{ snapshot: 's', mode: 'fast' }, /'mode'/],
    [{ snapshot: 's', workers: 0 }, /'workers'/],
    [{ snapshot: 's', runtime: { nearest: 'yes' } }, /'runtime.nearest'/],
    [{ snapshot: 's', runtime: { host: '/' } }, /'runtime.host'/],
    [{ snapshot: 's', reportHtml: '' }, /'reportHtml'/],
    [{ snapshot: 'git+-uhack' }, /option snapshot git\+-uhack: expected git\+<url>\[#ref\]/],
    [{ snapshot: 's', snapshots: 'x' }, /unknown option 'snapshots'/],
  ])('rejects %j', (raw, message) => {
    expect(() => resolveOptions(raw)).toThrow(UsageError);
    expect(() => resolveOptions(raw)).toThrow(message);
  });

  it('validates when the plugin is created, in every bundler', () => {
    for (const create of [
      unplugin.vite,
      unplugin.rollup,
      unplugin.esbuild,
      unplugin.webpack,
      unplugin.rspack,
    ]) {
      expect(() => create({ snapshot: 's', emit: 'nope' } as never)).toThrow(/'emit'/);
    }
  });
});
