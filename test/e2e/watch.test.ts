import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLERS,
  CACHE_DIR,
  corpusObject,
  type FixtureBuild,
  outputEntry,
  prepareFixture,
  SNAPSHOT,
  WORK,
  watchFixture,
} from './bundlers.js';
import { runFixture, sha256File } from './expected.js';

const FIRST = corpusObject('opensnoop');
const SECOND = corpusObject('tcpstates');

const watchBuild = (bundler: FixtureBuild['bundler'], name: string): FixtureBuild => ({
  bundler,
  dir: join(WORK, `${bundler}-${name}`),
  format: 'esm',
  plugin: { snapshot: SNAPSHOT, cacheDir: CACHE_DIR },
});

/**
 * Watches the fixture app importing FIRST as probe.bpf.o (with SECOND next to it as other.bpf.o), applies
 * `change` to the source dir, and checks that the rebuilt bundle was built for SECOND alone, under `expectedName`.
 */
async function rebuildsAfter(build: FixtureBuild, change: (src: string) => void, expectedName: string) {
  prepareFixture(build.dir, FIRST);
  const src = join(build.dir, 'src');
  copyFileSync(SECOND, join(src, 'other.bpf.o'));
  const watching = await watchFixture(build);
  try {
    await watching.next();
    const before = runFixture(outputEntry(build), []);
    expect(before.objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(FIRST) }]);

    change(src);
    await watching.next();
    const after = runFixture(outputEntry(build), []);
    expect(after.objects).toEqual([{ name: expectedName, sha256: sha256File(SECOND) }]);
    expect(after.probe).toBe(sha256File(SECOND));
  } finally {
    await watching.close();
  }
}

describe.each(BUNDLERS)('%s watch', (bundler) => {
  it('rebuilds the bundle when an imported .bpf.o changes', async () => {
    await rebuildsAfter(
      watchBuild(bundler, 'watch'),
      (src) => copyFileSync(SECOND, join(src, 'probe.bpf.o')),
      'probe.bpf.o',
    );
  });

  it('drops an object the app no longer imports from the rebuilt bundle', async () => {
    await rebuildsAfter(
      watchBuild(bundler, 'watch-switch'),
      (src) => {
        const entry = join(src, 'main.js');
        writeFileSync(entry, readFileSync(entry, 'utf8').replaceAll('./probe.bpf.o', './other.bpf.o'));
      },
      'other.bpf.o',
    );
  });
});
