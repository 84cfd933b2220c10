import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type FixtureBuild, outputEntry, prepareFixture, REPO, WORK, watchFixture } from './bundlers.js';
import { runFixture, sha256File } from './expected.js';

const FIRST = join(REPO, 'packages/core/testdata/opensnoop.bpf.o');
const SECOND = join(REPO, 'packages/core/testdata/tcpstates.bpf.o');

describe.each(['vite', 'rollup', 'esbuild'] as const)('%s watch', (bundler) => {
  it('rebuilds the bundle when an imported .bpf.o changes', async () => {
    const build: FixtureBuild = {
      bundler,
      dir: join(WORK, `${bundler}-watch`),
      format: 'esm',
      plugin: { snapshot: join(REPO, 'sample-snapshot'), cacheDir: join(WORK, '.cache') },
    };
    prepareFixture(build.dir, FIRST);
    const watching = await watchFixture(build);
    try {
      await watching.next();
      const before = runFixture(outputEntry(build), []);
      expect(before.objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(FIRST) }]);

      copyFileSync(SECOND, join(build.dir, 'src/probe.bpf.o'));
      await watching.next();
      const after = runFixture(outputEntry(build), []);
      expect(after.objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(SECOND) }]);
      expect(after.probe).toBe(sha256File(SECOND));
    } finally {
      await watching.close();
    }
  });
});
