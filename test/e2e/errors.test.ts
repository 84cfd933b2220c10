import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLERS, buildFixture, corpusObject, prepareFixture, SNAPSHOT, WORK } from './bundlers.js';

const PROBE = corpusObject('opensnoop');

describe.each(BUNDLERS)('%s', (bundler) => {
  it('fails the build on a missing snapshot directory, naming it', async () => {
    const dir = join(WORK, `${bundler}-no-snapshot`);
    prepareFixture(dir, PROBE);
    const snapshot = join(dir, 'no-such-snapshot');
    await expect(buildFixture({ bundler, dir, format: 'esm', plugin: { snapshot } })).rejects.toThrow(
      snapshot,
    );
  });

  it('fails the build on a .bpf.o that is not a BPF object, naming it', async () => {
    const dir = join(WORK, `${bundler}-bad-object`);
    prepareFixture(dir, PROBE);
    writeFileSync(join(dir, 'src/probe.bpf.o'), 'not an ELF file\n');
    await expect(
      buildFixture({ bundler, dir, format: 'esm', plugin: { snapshot: SNAPSHOT } }),
    ).rejects.toThrow(/probe\.bpf\.o/);
  });

  it('refuses a cacheDir inside the snapshot before writing anything, naming both', async () => {
    const dir = join(WORK, `${bundler}-cache-in-snapshot`);
    prepareFixture(dir, PROBE);
    const snapshot = join(dir, 'snapshot');
    cpSync(join(SNAPSHOT, 'debian/12/x86_64'), join(snapshot, 'debian/12/x86_64'), { recursive: true });
    const cacheDir = join(snapshot, 'debian/cache');
    await expect(
      buildFixture({ bundler, dir, format: 'esm', plugin: { snapshot, cacheDir } }),
    ).rejects.toThrow(/cache dir .*debian\/cache lies inside the snapshot .*snapshot: refusing to write/);
    expect(existsSync(cacheDir)).toBe(false);
  });
});
