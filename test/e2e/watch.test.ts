import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLERS,
  type FixtureBuild,
  outputEntry,
  prepareFixture,
  REPO,
  WORK,
  watchFixture,
} from './bundlers.js';
import { runFixture, sha256File } from './expected.js';

const FIRST = join(REPO, 'packages/core/testdata/opensnoop.bpf.o');
const SECOND = join(REPO, 'packages/core/testdata/tcpstates.bpf.o');

const watchBuild = (bundler: FixtureBuild['bundler'], name: string): FixtureBuild => ({
  bundler,
  dir: join(WORK, `${bundler}-${name}`),
  format: 'esm',
  plugin: { snapshot: join(REPO, 'sample-snapshot'), cacheDir: join(WORK, '.cache') },
});

describe.each(BUNDLERS)('%s watch', (bundler) => {
  it('rebuilds the bundle when an imported .bpf.o changes', async () => {
    const build = watchBuild(bundler, 'watch');
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

describe.each(BUNDLERS)('%s watch', (bundler) => {
  it('drops an object the app no longer imports from the rebuilt bundle', async () => {
    const build = watchBuild(bundler, 'watch-switch');
    const entry = prepareFixture(build.dir, FIRST);
    copyFileSync(SECOND, join(build.dir, 'src/other.bpf.o'));
    const watching = await watchFixture(build);
    try {
      await watching.next();
      expect(runFixture(outputEntry(build), []).objects).toEqual([
        { name: 'probe.bpf.o', sha256: sha256File(FIRST) },
      ]);

      writeFileSync(entry, readFileSync(entry, 'utf8').replaceAll('./probe.bpf.o', './other.bpf.o'));
      await watching.next();
      const after = runFixture(outputEntry(build), []);
      expect(after.objects).toEqual([{ name: 'other.bpf.o', sha256: sha256File(SECOND) }]);
      expect(after.probe).toBe(sha256File(SECOND));
    } finally {
      await watching.close();
    }
  });
});
