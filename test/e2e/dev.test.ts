import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import btfBundle, { type BtfBundleOptions } from 'unplugin-btf-bundle';
import type { BtfBundleApi } from 'unplugin-btf-bundle/runtime';
import { createServer, type HotPayload, type ViteDevServer } from 'vite';
import { expect, it } from 'vitest';
import { CACHE_DIR, corpusObject, prepareFixture, SNAPSHOT, WORK } from './bundlers.js';
import { sha256File } from './expected.js';

const FIRST = corpusObject('opensnoop');
const SECOND = corpusObject('tcpstates');
const EXTRA = corpusObject('execsnoop');

/** A vite dev server (SSR, no HTTP) on `root` with the plugin; `build.outDir` is `out`. */
const devServer = (root: string, plugin: Partial<BtfBundleOptions> = {}) =>
  createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    server: { middlewareMode: true, ws: false },
    build: { outDir: 'out' },
    plugins: [btfBundle.vite({ snapshot: SNAPSHOT, cacheDir: CACHE_DIR, ...plugin })],
  });

/** `virtual:btf-bundle` as served (its named exports are the API's). */
type VirtualModule = BtfBundleApi;

/** Source of a module that imports each of `objects` (`x.bpf.o` or `x.bpf.o?path`, in `src`), after `lines`. */
const moduleSource = (objects: string[], lines: string[] = []) =>
  [
    ...lines,
    ...objects.map((object, i) => `import o${i} from './${object}';\nexport const object${i} = o${i};`),
    '',
  ].join('\n');

/** Writes the app module `<dir>/src/app.js`: it re-exports `virtual:btf-bundle` and imports `objects`. */
function writeApp(dir: string, objects: string[]) {
  writeFileSync(join(dir, 'src/app.js'), moduleSource(objects, ["export * from 'virtual:btf-bundle';"]));
}

/** The app's `virtual:btf-bundle`, as its run sees it. */
const runApp = async (server: ViteDevServer) => (await server.ssrLoadModule('/src/app.js')) as VirtualModule;

/**
 * The app run twice: its first run loads `virtual:btf-bundle` before its .bpf.o imports are seen, the second gets
 * the bundle of the objects it imports.
 */
async function load(server: ViteDevServer): Promise<VirtualModule> {
  await runApp(server);
  return runApp(server);
}

/** Base64 of the BTF the served bundle holds for `id` (`distro/version/arch/release`). */
async function servedBtf(server: ViteDevServer, id: string): Promise<string | undefined> {
  const [distro, version, arch, release] = id.split('/') as [string, string, string, string];
  const found = await (await load(server)).findBtf({ distro, version, arch, release });
  return found && Buffer.from(found.bytes).toString('base64');
}

/** The files that made the server send a full reload to its SSR environment, from now on. */
function fullReloads(server: ViteDevServer): string[] {
  const files: string[] = [];
  const hot = server.environments.ssr!.hot;
  const send = hot.send.bind(hot) as (payload: HotPayload) => void;
  hot.send = ((payload: HotPayload) => {
    if (payload.type === 'full-reload') files.push(payload.triggeredBy ?? '');
    send(payload);
  }) as typeof hot.send;
  return files;
}

/** How long a change may take to reach the served module (the file watcher, then a rebuild from the cache). */
const POLL = { timeout: 30_000, interval: 200 };

it('vite dev server: serves virtual:btf-bundle and invalidates it when an object changes', async () => {
  const dir = join(WORK, 'vite-dev');
  prepareFixture(dir, FIRST);
  writeApp(dir, ['probe.bpf.o?path']);
  const server = await devServer(dir);
  try {
    const before = await load(server);
    expect(before.objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(FIRST) }]);
    expect(before.kernels).toContain('debian/12/x86_64/6.1.0-54-amd64');

    copyFileSync(SECOND, join(dir, 'src/probe.bpf.o'));
    const probe = join(dir, 'src/probe.bpf.o');
    for (const environment of Object.values(server.environments)) {
      for (const module of environment.moduleGraph.getModulesByFile(probe) ?? []) {
        environment.moduleGraph.invalidateModule(module);
      }
    }
    const after = await load(server);
    expect(after.objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(SECOND) }]);
  } finally {
    await server.close();
  }
});

it('vite dev server: a snapshot kernel file removed, added or changed, or an `objects` file changed, rebuilds the bundle', async () => {
  const dir = join(WORK, 'vite-dev-inputs');
  prepareFixture(dir, FIRST);
  writeApp(dir, ['probe.bpf.o?path']);
  mkdirSync(join(dir, 'bpf'));
  copyFileSync(EXTRA, join(dir, 'bpf/extra.bpf.o'));
  const snapshot = join(dir, 'snapshot');
  const file = (id: string) => join(snapshot, `${id}.btf.tar.xz`);
  const sample = (id: string) => join(SNAPSHOT, `${id}.btf.tar.xz`);
  const [old, gone, added] = ['6.1.0-47-amd64', '6.1.0-54-amd64', '6.1.0-54-cloud-amd64'].map(
    (release) => `debian/12/x86_64/${release}`,
  ) as [string, string, string];
  mkdirSync(join(snapshot, 'debian/12/x86_64'), { recursive: true });
  for (const id of [old, gone]) copyFileSync(sample(id), file(id));
  const server = await devServer(dir, { snapshot, objects: ['bpf/*.bpf.o'] });
  const reloads = fullReloads(server);
  const kernels = async () => [...(await load(server)).kernels].sort();
  const objects = async () => (await load(server)).objects;
  try {
    expect(await kernels()).toEqual([old, gone]);
    expect(await objects()).toEqual([
      { name: 'extra.bpf.o', sha256: sha256File(EXTRA) },
      { name: 'probe.bpf.o', sha256: sha256File(FIRST) },
    ]);

    rmSync(file(gone));
    await expect.poll(kernels, POLL).toEqual([old]);

    copyFileSync(sample(added), file(added));
    await expect.poll(kernels, POLL).toEqual([old, added]);
    // a file no module imports: the plugin updates the virtual module, which reloads the app
    await expect.poll(() => reloads, POLL).toContain(file(added));
    const addedBtf = await servedBtf(server, added);
    expect(await servedBtf(server, old)).not.toBe(addedBtf);

    // the old kernel's file now holds the added kernel's BTF: so does the served bundle
    copyFileSync(sample(added), file(old));
    await expect.poll(() => servedBtf(server, old), POLL).toBe(addedBtf);

    copyFileSync(SECOND, join(dir, 'bpf/extra.bpf.o'));
    await expect.poll(objects, POLL).toContainEqual({ name: 'extra.bpf.o', sha256: sha256File(SECOND) });
  } finally {
    await server.close();
  }
});

it('vite dev server: the objects guessed before the first import skip output dirs, emitted copies and stray files, and leave once the app imports one', async () => {
  const dir = join(WORK, 'vite-dev-prescan');
  prepareFixture(dir, FIRST);
  writeApp(dir, ['probe.bpf.o?path']);
  const put = (path: string, from: string | Buffer) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    if (typeof from === 'string') copyFileSync(from, join(dir, path));
    else writeFileSync(join(dir, path), from);
  };
  put('src/unused.bpf.o', SECOND); // not imported: a fair guess, until the real imports are seen
  put('out/other.bpf.o', EXTRA); // vite's build.outDir
  const copy = `probe-${sha256File(FIRST).slice(0, 8)}.bpf.o`; // what a build emits for a '?path' import
  put(`out/${copy}`, FIRST);
  put(`out-old/${copy}`, FIRST); // an output dir the config no longer names
  put('node_modules/pkg/dep.bpf.o', EXTRA);
  put('.hidden/probe.bpf.o', EXTRA);
  put('junk/stray.bpf.o', Buffer.from('not an ELF file\n'));
  put('twice/a/same.bpf.o', EXTRA); // two of one name: neither is a guess
  put('twice/b/same.bpf.o', SECOND);
  const server = await devServer(dir);
  const names = async () => (await runApp(server)).objects.map((o) => o.name);
  try {
    expect(await names()).toEqual(['probe.bpf.o', 'unused.bpf.o']);
    expect(await names()).toEqual(['probe.bpf.o']);
  } finally {
    await server.close();
  }
});

it('vite dev server: an object the app stops importing leaves the served bundle, and comes back with an import', async () => {
  const dir = join(WORK, 'vite-dev-unimport');
  prepareFixture(dir, FIRST);
  copyFileSync(SECOND, join(dir, 'src/other.bpf.o'));
  const more = join(dir, 'src/more.js'); // a module of the app that imports no object at first
  writeFileSync(more, moduleSource([]));
  const app = (objects: string[]) =>
    writeFileSync(
      join(dir, 'src/app.js'),
      moduleSource(objects, ["export * from 'virtual:btf-bundle';", "import './more.js';"]),
    );
  app(['probe.bpf.o?path', 'other.bpf.o?path']);
  const server = await devServer(dir);
  const names = async () => (await runApp(server)).objects.map((o) => o.name);
  try {
    await expect.poll(names, POLL).toEqual(['other.bpf.o', 'probe.bpf.o']);

    app(['probe.bpf.o?path']);
    await expect.poll(names, POLL).toEqual(['probe.bpf.o']);

    writeFileSync(more, moduleSource(['other.bpf.o'])); // its bytes this time
    await expect.poll(names, POLL).toEqual(['other.bpf.o', 'probe.bpf.o']);

    writeFileSync(more, moduleSource([]));
    await expect.poll(names, POLL).toEqual(['probe.bpf.o']);

    app(['probe.bpf.o?path', 'other.bpf.o?path']);
    await expect.poll(names, POLL).toEqual(['other.bpf.o', 'probe.bpf.o']);
  } finally {
    await server.close();
  }
});
