// The plugin with a git remote as its snapshot: `snapshot: 'git+file://…'` builds the same app as the directory
// it was made from, fetching only the kernels the `include` globs select; a ref the remote lacks, or a remote out
// of reach when the cache holds fewer kernels than the globs select, fails the build. A relative path is taken from
// the plugin's root; credentials in the URL never reach the bundler's error.
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobId, git, makeRemote, missingObjects } from '../../packages/core/test/git-remote.js';
import { buildFixture, corpusObject, type FixtureBuild, prepareFixture, SNAPSHOT, WORK } from './bundlers.js';
import { coreMinimization, runFixture } from './expected.js';

const KERNELS = ['debian/12/x86_64/6.1.0-47-amd64', 'debian/12/x86_64/6.12.117+deb12-amd64'];
const PROBE = corpusObject('opensnoop');
const expected = new Map<string, Buffer>();
const remote = makeRemote(SNAPSHOT);

afterAll(() => rmSync(remote.root, { recursive: true, force: true }));
beforeAll(async () => {
  for (const id of KERNELS) expected.set(id, Buffer.from(await coreMinimization(id, [PROBE])));
});

describe.each(['vite', 'esbuild'] as const)('%s with snapshot git+file://', (bundler) => {
  it('builds an app that finds the min-core-btf output of each selected kernel, fetching only those', async () => {
    const cacheDir = join(WORK, `git-${bundler}`, '.cache');
    const build: FixtureBuild = {
      bundler,
      dir: join(WORK, `git-${bundler}`),
      format: 'esm',
      plugin: {
        snapshot: `git+file://${remote.bare}`,
        include: ['debian/12/x86_64/6.1.0-47-*', 'debian/12/x86_64/6.12.*'],
        cacheDir,
      },
    };
    prepareFixture(build.dir, PROBE);
    const out = runFixture(await buildFixture(build), KERNELS);
    expect([...out.kernels].sort()).toEqual(KERNELS);
    for (const id of KERNELS) {
      expect(out.btfs[id]?.match).toBe('exact');
      expect(Buffer.from(out.btfs[id]!.base64, 'base64').equals(expected.get(id)!), id).toBe(true);
    }
    const clone = join(cacheDir, 'snapshots', readdirSync(join(cacheDir, 'snapshots'))[0] as string);
    const head = git(clone, 'rev-parse', 'HEAD');
    const missing = missingObjects(clone, head);
    expect(missing.has(blobId(clone, head, 'debian/12/x86_64/6.1.0-47-amd64.btf.tar.xz'))).toBe(false);
    expect(missing.has(blobId(clone, head, 'debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz'))).toBe(true);
  });

  it('fails on a ref the remote lacks, and out of reach on a cache of fewer kernels, saying so', async () => {
    const dir = join(WORK, `git-${bundler}-errors`);
    const url = `git+file://${remote.bare}`;
    const build = (snapshot: string, include?: string[]): FixtureBuild => ({
      bundler,
      dir,
      format: 'esm',
      plugin: { snapshot, cacheDir: join(dir, '.cache'), ...(include && { include }) },
    });
    prepareFixture(dir, PROBE);
    await expect(buildFixture(build(`${url}#v2typo`))).rejects.toThrow(
      `snapshot ${url}#v2typo: the remote answers but does not give ref v2typo (git fetch failed: fatal: couldn't find remote ref v2typo)`,
    );
    await buildFixture(build(url, ['debian/12/arm64/*']));
    const away = `${remote.bare}.away`;
    renameSync(remote.bare, away);
    try {
      await expect(buildFixture(build(url))).rejects.toThrow(
        /cannot reach the remote .* holds only 2 of the 8 kernel files this build selects \(debian\/12\/arm64\//,
      );
    } finally {
      renameSync(away, remote.bare);
    }
  });
});

describe('vite with snapshot git+<relative path> or a URL with credentials', () => {
  const dir = join(WORK, 'git-vite-root');
  const build = (snapshot: string): FixtureBuild => ({
    bundler: 'vite',
    dir,
    format: 'esm',
    plugin: { snapshot, cacheDir: join(dir, '.cache'), include: ['debian/12/x86_64/6.1.0-47-*'] },
  });

  it("takes a relative path from the plugin's root", async () => {
    prepareFixture(dir, PROBE);
    const out = runFixture(await buildFixture(build(`git+${relative(dir, remote.bare)}`)), KERNELS);
    expect(out.kernels).toEqual([KERNELS[0]]);
  });

  it('hides the token of a URL in the error', async () => {
    prepareFixture(dir, PROBE);
    const failed = buildFixture(build('git+https://ci-bot:S3CRETTOKEN@127.0.0.1:1/archive.git'));
    await expect(failed).rejects.toThrow(
      'snapshot git+https://ci-bot:***@127.0.0.1:1/archive.git: cannot reach',
    );
    await expect(failed).rejects.not.toThrow('S3CRET');
  });
});
