import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, context as esbuildContext } from 'esbuild';
// the built package (self-reference): its runtime entry is dist/runtime.js
import { unplugin } from 'unplugin-btf-bundle';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

const repo = (path: string) => new URL(`../../../${path}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-unplugin-esbuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const snapshot = join(dir, 'snapshot');
beforeAll(() => {
  const kernels = join(snapshot, 'debian/12/x86_64');
  mkdirSync(kernels, { recursive: true });
  cpSync(
    repo('sample-snapshot/debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz'),
    join(kernels, '6.1.0-54-amd64.btf.tar.xz'),
  );
});

/** An app in `<dir>/<name>` whose `main.js` is `code`, with `objects` copies of a real object under their names. */
function app(name: string, code: string, objects: string[] = []): string {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'main.js'), code);
  for (const object of objects) cpSync(repo('packages/core/testdata/opensnoop.bpf.o'), join(root, object));
  return root;
}

it('esbuild: warnings (a kernel that fails) go to the build result and stderr, the output has no NUL byte', async () => {
  const kernels = join(dir, 'snapshot-bad/debian/12/x86_64');
  mkdirSync(kernels, { recursive: true });
  cpSync(
    join(snapshot, 'debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz'),
    join(kernels, '6.1.0-54-amd64.btf.tar.xz'),
  );
  writeFileSync(join(kernels, '6.1.0-99-amd64.btf'), 'not a BTF');
  cpSync(repo('packages/core/testdata/opensnoop.bpf.o'), join(dir, 'probe.bpf.o'));
  writeFileSync(
    join(dir, 'main.js'),
    "import { kernels } from 'virtual:btf-bundle';\nimport './probe.bpf.o';\nconsole.log(kernels);\n",
  );
  const options = (logLevel: 'silent' | 'warning') => ({
    entryPoints: [join(dir, 'main.js')],
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    outfile: join(dir, 'out/main.mjs'),
    write: false,
    logLevel,
    color: false,
    plugins: [unplugin.esbuild({ snapshot: join(dir, 'snapshot-bad'), cacheDir: false })],
  });
  const stderr: string[] = [];
  const printed = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    stderr.push(String(text));
    return true;
  });
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build(options('silent'));
    expect(stderr).toEqual([]);
    // printed as esbuild prints warnings, once, by build() and by a context's rebuild (watch, serve)
    await build(options('warning'));
    const context = await esbuildContext(options('warning'));
    await context.rebuild().finally(() => context.dispose());
  } finally {
    printed.mockRestore();
  }
  expect(stderr.filter((text) => text.includes('WARNING'))).toEqual([
    expect.stringMatching(/^▲ \[WARNING\] .*6\.1\.0-99-amd64.* \[plugin unplugin-btf-bundle\]\n/),
    expect.stringMatching(/^▲ \[WARNING\] .*6\.1\.0-99-amd64.* \[plugin unplugin-btf-bundle\]\n/),
  ]);
  expect(result.warnings.map((w) => [w.pluginName, w.text])).toEqual([
    ['unplugin-btf-bundle', expect.stringContaining('6.1.0-99-amd64')],
  ]);
  const [output] = result.outputFiles ?? [];
  expect(output?.contents.includes(0)).toBe(false);
  expect(output?.text).toContain('virtual:btf-bundle');
});

const OBJECTS = [repo('packages/core/testdata/opensnoop.bpf.o')];

it('esbuild: the output is never written over an input, as esbuild refuses it (unless allowOverwrite)', async () => {
  const source = "import { kernels } from 'virtual:btf-bundle';\nconsole.log(kernels.length);\n";
  const root = app('overwrite', source);
  const options = () => ({
    entryPoints: [join(root, 'main.js')],
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    outfile: join(root, 'main.js'),
    logLevel: 'silent' as const,
    plugins: [unplugin.esbuild({ snapshot, cacheDir: false, objects: OBJECTS })],
  });
  await expect(build(options())).rejects.toThrow(
    `unplugin-btf-bundle: esbuild output ${join(root, 'main.js')} is the input ${join(root, 'main.js')}: refusing to write over an input`,
  );
  expect(readFileSync(join(root, 'main.js'), 'utf8')).toBe(source);
  const result = await build({ ...options(), allowOverwrite: true });
  expect(result.metafile).toBeUndefined(); // turned on by the plugin only
  expect(execFileSync(process.execPath, [join(root, 'main.js')], { encoding: 'utf8' })).toBe('1\n');
});

it('esbuild: a ?path import of an object with any name gives its emitted copy', async () => {
  const names = ['my probe', 'probe+v2', 'a@b', `q"uo'te`, 'probé', '50%', 'x(y)~'];
  const imports = names.map((n, i) => `import p${i} from ${JSON.stringify(`./${n}.bpf.o?path`)};`);
  const root = app(
    'names',
    `${imports.join('\n')}\nimport 'virtual:btf-bundle';\nconsole.log(JSON.stringify([${names.map((_, i) => `p${i}`)}]));\n`,
    names.map((n) => `${n}.bpf.o`),
  );
  for (const format of ['esm', 'cjs'] as const) {
    const out = join(root, `out-${format}/main.${format === 'esm' ? 'mjs' : 'cjs'}`);
    await build({
      entryPoints: [join(root, 'main.js')],
      bundle: true,
      platform: 'node',
      format,
      outfile: out,
      logLevel: 'silent',
      plugins: [unplugin.esbuild({ snapshot, cacheDir: false })],
    });
    const paths = JSON.parse(execFileSync(process.execPath, [out], { encoding: 'utf8' })) as string[];
    expect(
      paths.map((p) => p.slice(join(root, `out-${format}/`).length).replace(/-[0-9a-f]{8}\.bpf\.o$/, '')),
    ).toEqual(names);
    for (const path of paths)
      expect(readFileSync(path).equals(readFileSync(join(root, 'probe+v2.bpf.o')))).toBe(true);
  }
});

it('esbuild: a failure of the plugin is one line, at the import or without a place', async () => {
  const root = app('failure', "import './bad.bpf.o';\nimport 'virtual:btf-bundle';\n");
  writeFileSync(join(root, 'bad.bpf.o'), 'not an ELF file');
  const errors = (objects: string[], cacheDir: string, from = snapshot) =>
    build({
      entryPoints: [join(root, 'main.js')],
      bundle: true,
      platform: 'node',
      outfile: join(root, 'out/main.js'),
      logLevel: 'silent',
      plugins: [unplugin.esbuild({ snapshot: from, objects, cacheDir, root })],
    }).then(
      () => [],
      (err: { errors: { text: string; location: { lineText: string } | null; notes: unknown[] }[] }) =>
        err.errors,
    );
  // a module that fails to load: esbuild places the error at its import
  const [load, ...more] = await errors([], 'cache');
  expect(more).toEqual([]);
  expect(load?.text).toBe(
    'unplugin-btf-bundle: bad.bpf.o (ELF header, offset 0): not an ELF file (bad magic)',
  );
  expect(load?.location?.lineText).toBe("import './bad.bpf.o';");
  expect(load?.notes).toEqual([]);
  // a failure at the build's start, before any import
  const start = (await errors([], 'cache', join(root, 'bad.bpf.o'))).find((e) => e.location === null);
  expect(start).toMatchObject({
    text: `unplugin-btf-bundle: snapshot ${join(root, 'bad.bpf.o')} is not a directory`,
    location: null,
    notes: [],
  });
  // a failure of the bundle's build (here: a cacheDir inside the output directory), which writes nothing
  writeFileSync(
    join(root, 'main.js'),
    "import { kernels } from 'virtual:btf-bundle';\nconsole.log(kernels);\n",
  );
  expect(await errors(OBJECTS, 'out/.cache')).toEqual([
    expect.objectContaining({
      text: `unplugin-btf-bundle: cacheDir ${join(root, 'out/.cache')} lies inside the output directory ${join(root, 'out')}: the cache would ship with the app`,
      location: null,
      notes: [],
    }),
  ]);
  expect(existsSync(join(root, 'out'))).toBe(false);
});

it('esbuild without outfile or outdir: the bundle inlined in the output kept in memory or on standard output', async () => {
  const root = app(
    'no-outfile',
    "import { kernels } from 'virtual:btf-bundle';\nconsole.log(kernels.length);\n",
  );
  const options = (emit: 'inline' | 'asset', write: boolean) => ({
    entryPoints: [join(root, 'main.js')],
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    write,
    absWorkingDir: root,
    logLevel: 'silent' as const,
    plugins: [unplugin.esbuild({ snapshot, cacheDir: false, objects: OBJECTS, emit })],
  });
  const [output] = (await build(options('inline', false))).outputFiles ?? [];
  writeFileSync(join(root, 'out.mjs'), output?.contents ?? '');
  expect(execFileSync(process.execPath, [join(root, 'out.mjs')], { encoding: 'utf8' })).toBe('1\n');
  // no directory to emit the bundle file next to: a clear error, not an app that cannot find its bundle
  await expect(build(options('asset', false))).rejects.toThrow(
    'unplugin-btf-bundle: the output has no directory (esbuild without outfile or outdir)',
  );
  // written: esbuild's standard output, not a file named '<stdout>'
  const { plugins: _, ...written } = options('inline', true);
  const plugin = { snapshot, cacheDir: false, objects: OBJECTS };
  const script = `import { build, context as esbuildContext } from 'esbuild'; import { unplugin } from 'unplugin-btf-bundle';
    await build({ ...${JSON.stringify(written)}, plugins: [unplugin.esbuild(${JSON.stringify(plugin)})] });`;
  const printed = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url).pathname,
    encoding: 'utf8',
  });
  writeFileSync(join(root, 'printed.mjs'), printed);
  expect(execFileSync(process.execPath, [join(root, 'printed.mjs')], { encoding: 'utf8' })).toBe('1\n');
  expect(existsSync(join(root, '<stdout>'))).toBe(false);
});
