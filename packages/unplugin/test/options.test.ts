import { execFileSync } from 'node:child_process';
import { UsageError } from '@btf-bundle/core';
import { BUILD_OPTIONS } from '@btf-bundle/core/internal';
import { describe, expect, it } from 'vitest';
import { pluginError } from '../src/core/errors.js';
import { resolveOptions } from '../src/core/options.js';
import { unplugin } from '../src/index.js';

const CLI = new URL('../../core/dist/bin/btf-bundle.cjs', import.meta.url).pathname;

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
    [
      { snapshot: 's', objects: { 'x86-64': ['a.bpf.o'] } },
      /option 'objects' has an unknown arch 'x86-64' \(did you mean 'x86_64'\?\): the arches are BTFHub's, x86_64, arm64, /,
    ],
    [{ snapshot: 's', objects: { amd64: ['a.bpf.o'] } }, /unknown arch 'amd64' \(did you mean 'x86_64'\?\)/],
    [{ snapshot: 's', objects: JSON.parse('{"__proto__": ["a.bpf.o"]}') }, /unknown arch '__proto__'/],
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

describe('the build options shared with the CLI (core BUILD_OPTIONS)', () => {
  it('are all plugin options, checked by their kind, choices defaulting to the first', () => {
    for (const spec of BUILD_OPTIONS) {
      const bad = spec.kind === 'count' ? 0 : spec.kind === 'globs' ? 'not-a-list' : 42;
      const raw = { snapshot: 'snap', [spec.name]: bad };
      if (spec.name === 'snapshot' || spec.name === 'objects') continue; // checked by the plugin itself
      expect(() => resolveOptions(raw)).toThrow(
        new RegExp(`^unplugin-btf-bundle: option '${spec.name}' must`),
      );
      if (spec.kind === 'choice')
        expect(resolveOptions({ snapshot: 'snap' })).toHaveProperty(spec.name, spec.choices?.[0]);
    }
  });

  it('are the flags of `btf-bundle build --help`', () => {
    const help = execFileSync(process.execPath, [CLI, 'build', '--help'], { encoding: 'utf8' });
    for (const spec of BUILD_OPTIONS) expect(help).toContain(`--${spec.flag} ${spec.arg}`);
  });
});

describe('pluginError', () => {
  it('prints any error as one prefixed line, keeping the class and code of our errors', () => {
    const usage = pluginError(new UsageError('objects: x does not exist'));
    expect(usage).toBeInstanceOf(UsageError);
    expect(usage.message).toBe('unplugin-btf-bundle: objects: x does not exist');
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x/a.bpf.o'"), {
      code: 'ENOENT',
      syscall: 'open',
      path: '/x/a.bpf.o',
    });
    const system = pluginError(enoent);
    expect(system.message).toBe(
      'unplugin-btf-bundle: /x/a.bpf.o: cannot open: no such file or directory (ENOENT)',
    );
    expect(system).toMatchObject({ code: 'ENOENT', cause: enoent });
    expect(pluginError(usage)).toBe(usage);
  });
});
