import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import btfBundle from 'unplugin-btf-bundle';
import { createServer } from 'vite';
import { expect, it } from 'vitest';
import { CACHE_DIR, corpusObject, prepareFixture, SNAPSHOT, WORK } from './bundlers.js';
import { sha256File } from './expected.js';

const FIRST = corpusObject('opensnoop');
const SECOND = corpusObject('tcpstates');

it('vite dev server: serves virtual:btf-bundle and invalidates it when an object changes', async () => {
  const dir = join(WORK, 'vite-dev');
  prepareFixture(dir, FIRST);
  const server = await createServer({
    root: dir,
    configFile: false,
    logLevel: 'silent',
    server: { middlewareMode: true, ws: false },
    plugins: [btfBundle.vite({ snapshot: SNAPSHOT, cacheDir: CACHE_DIR })],
  });
  try {
    // the virtual module first (as in the app, before its .bpf.o imports), then the object, then again
    const load = async () => {
      await server.ssrLoadModule('virtual:btf-bundle');
      await server.ssrLoadModule('/src/probe.bpf.o');
      return server.ssrLoadModule('virtual:btf-bundle');
    };
    const before = await load();
    expect(before.objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(FIRST) }]);
    expect(before.kernels).toContain('debian/12/x86_64/6.1.0-54-amd64');

    copyFileSync(SECOND, join(dir, 'src/probe.bpf.o'));
    const probe = join(dir, 'src/probe.bpf.o');
    for (const environment of Object.values(server.environments)) {
      for (const module of environment.moduleGraph.getModulesByFile(probe) ?? []) {
        environment.moduleGraph.invalidateModule(module);
      }
    }
    const after = await load();
    expect(after.objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(SECOND) }]);
  } finally {
    await server.close();
  }
});
