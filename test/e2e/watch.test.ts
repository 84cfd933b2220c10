import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  BUNDLERS,
  CACHE_DIR,
  corpusObject,
  type FixtureBuild,
  outputEntry,
  prepareFixture,
  SNAPSHOT,
  WATCH_DELAY_MS,
  type Watching,
  WORK,
  watchFixture,
} from './bundlers.js';
import { runFixture, sha256File } from './expected.js';

const FIRST = corpusObject('opensnoop');
const SECOND = corpusObject('tcpstates');
/** Kernels of the sample snapshot, by id (`debian/12/x86_64/<release>`). */
const KERNEL = {
  old: 'debian/12/x86_64/6.1.0-47-amd64',
  gone: 'debian/12/x86_64/6.1.0-54-amd64',
  added: 'debian/12/x86_64/6.1.0-54-cloud-amd64', // its BTF for FIRST differs from old's
};
const kernelFile = (snapshot: string, id: string) => join(snapshot, `${id}.btf.tar.xz`);

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

/**
 * Watches the fixture app with a snapshot of its own and checks that each change of a kernel file the globs select
 * (removed, added, changed) rebuilds the bundle with it.
 */
async function rebuildsOnSnapshotChanges(build: FixtureBuild, snapshot: string) {
  prepareFixture(build.dir, FIRST);
  mkdirSync(join(snapshot, 'debian/12/x86_64'), { recursive: true });
  for (const id of [KERNEL.old, KERNEL.gone])
    copyFileSync(kernelFile(SNAPSHOT, id), kernelFile(snapshot, id));
  const ids = [KERNEL.old, KERNEL.gone, KERNEL.added];
  const run = () => runFixture(outputEntry(build), ids);
  const watching = await watchFixture(build);
  try {
    await watching.next();
    expect(run().kernels.sort()).toEqual([KERNEL.old, KERNEL.gone]);

    rmSync(kernelFile(snapshot, KERNEL.gone));
    await watching.next();
    expect(run().kernels).toEqual([KERNEL.old]);

    copyFileSync(kernelFile(SNAPSHOT, KERNEL.added), kernelFile(snapshot, KERNEL.added));
    await watching.next();
    const added = run();
    expect(added.kernels.sort()).toEqual([KERNEL.old, KERNEL.added]);
    const addedBtf = added.btfs[KERNEL.added]?.base64;
    expect(added.btfs[KERNEL.old]?.base64).not.toBe(addedBtf);

    // the old kernel's file now holds the added kernel's BTF: so does the bundle
    copyFileSync(kernelFile(SNAPSHOT, KERNEL.added), kernelFile(snapshot, KERNEL.old));
    await watching.next();
    expect(run().btfs[KERNEL.old]?.base64).toBe(addedBtf);
  } finally {
    await watching.close();
  }
}

/** How long a watch must stay idle after a build to count as settled: many times the delay before a build. */
const QUIET_MS = 10 * WATCH_DELAY_MS;

/** Waits {@link QUIET_MS} after a finished build and checks that `builds` builds have started in all. */
async function expectSettled(watching: Watching, builds: number) {
  await sleep(QUIET_MS);
  expect(watching.started(), 'builds started').toBe(builds);
}

/**
 * Watches the fixture app with a snapshot of its own and checks that the watch builds once at start and once for
 * each change: a kernel file added, a kernel file changed, the imported object changed.
 */
async function buildsOncePerChange(build: FixtureBuild, snapshot: string) {
  prepareFixture(build.dir, FIRST);
  mkdirSync(join(snapshot, 'debian/12/x86_64'), { recursive: true });
  copyFileSync(kernelFile(SNAPSHOT, KERNEL.old), kernelFile(snapshot, KERNEL.old));
  const run = () => runFixture(outputEntry(build), []);
  const watching = await watchFixture(build);
  try {
    await watching.next();
    await expectSettled(watching, 1);

    copyFileSync(kernelFile(SNAPSHOT, KERNEL.added), kernelFile(snapshot, KERNEL.added));
    await watching.next();
    await expectSettled(watching, 2);
    expect(run().kernels.sort()).toEqual([KERNEL.old, KERNEL.added]);

    // a kernel file changed: a file dependency and, in webpack and rspack, the snapshot's context dependency
    copyFileSync(kernelFile(SNAPSHOT, KERNEL.gone), kernelFile(snapshot, KERNEL.added));
    await watching.next();
    await expectSettled(watching, 3);

    copyFileSync(SECOND, join(build.dir, 'src/probe.bpf.o'));
    await watching.next();
    await expectSettled(watching, 4);
    expect(run().objects).toEqual([{ name: 'probe.bpf.o', sha256: sha256File(SECOND) }]);
  } finally {
    await watching.close();
  }
}

describe.each(BUNDLERS)('%s watch', (bundler) => {
  it('builds once at start and once for each kernel file added or changed and each object changed', async () => {
    const build = watchBuild(bundler, 'watch-once');
    const snapshot = join(build.dir, 'snapshot');
    await buildsOncePerChange({ ...build, plugin: { ...build.plugin, snapshot } }, snapshot);
  });

  it('rebuilds the bundle when a snapshot kernel file is removed, added or changed', async () => {
    const build = watchBuild(bundler, 'watch-snapshot');
    const snapshot = join(build.dir, 'snapshot');
    await rebuildsOnSnapshotChanges({ ...build, plugin: { ...build.plugin, snapshot } }, snapshot);
  });

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
