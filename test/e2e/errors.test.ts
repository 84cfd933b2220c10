import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

  it("fails the build with failOn, naming the plugin's option and the first fatal kernel", async () => {
    const dir = join(WORK, `${bundler}-fail-on`);
    prepareFixture(dir, PROBE);
    const snapshot = join(dir, 'snapshot');
    const kernels = join(snapshot, 'debian/12/x86_64');
    mkdirSync(kernels, { recursive: true });
    cpSync(
      join(SNAPSHOT, 'debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz'),
      join(kernels, '6.1.0-54-amd64.btf.tar.xz'),
    );
    writeFileSync(join(kernels, '6.1.0-99-amd64.btf'), 'not a BTF');
    const plugin = { snapshot, failOn: 'unreadable' as const, cacheDir: false as const };
    await expect(buildFixture({ bundler, dir, format: 'esm', plugin })).rejects.toThrow(
      /unplugin-btf-bundle: 1 kernel\(s\) failed with failOn: 'unreadable'; first: debian\/12\/x86_64\/6\.1\.0-99-amd64: /,
    );
  });

  it('refuses a reportHtml that is the object the app imports, leaving it as it was', async () => {
    const dir = join(WORK, `${bundler}-report-over-object`);
    prepareFixture(dir, PROBE);
    const object = join(dir, 'src/probe.bpf.o');
    const plugin = { snapshot: SNAPSHOT, cacheDir: false as const, reportHtml: object };
    await expect(buildFixture({ bundler, dir, format: 'esm', plugin })).rejects.toThrow(
      `reportHtml ${object} is the object ${object}: refusing to write over an input`,
    );
    expect(readFileSync(object).equals(readFileSync(PROBE))).toBe(true);
  });

  it('refuses a cacheDir inside the output directory, where it would ship with the app', async () => {
    const dir = join(WORK, `${bundler}-cache-in-output`);
    prepareFixture(dir, PROBE);
    const plugin = { snapshot: SNAPSHOT, cacheDir: join(dir, 'out/.cache') };
    await expect(buildFixture({ bundler, dir, format: 'esm', plugin })).rejects.toThrow(
      `cacheDir ${join(dir, 'out/.cache')} lies inside the output directory ${join(dir, 'out')}`,
    );
    expect(existsSync(join(dir, 'out/.cache'))).toBe(false);
  });

  it.each([
    [
      'cacheDir',
      'debian/cache',
      /cache dir .*debian\/cache lies inside the snapshot .*snapshot: refusing to write/,
    ],
    [
      'reportHtml',
      'coverage.html',
      /reportHtml .*coverage\.html lies inside the snapshot .*snapshot: refusing to write/,
    ],
  ] as const)(
    'refuses a %s inside the snapshot before writing anything, naming both',
    async (option, inside, message) => {
      const dir = join(WORK, `${bundler}-${option}-in-snapshot`);
      prepareFixture(dir, PROBE);
      const snapshot = join(dir, 'snapshot');
      cpSync(join(SNAPSHOT, 'debian/12/x86_64'), join(snapshot, 'debian/12/x86_64'), { recursive: true });
      const path = join(snapshot, inside);
      const plugin =
        option === 'cacheDir'
          ? { snapshot, cacheDir: path }
          : { snapshot, cacheDir: false as const, reportHtml: path };
      await expect(buildFixture({ bundler, dir, format: 'esm', plugin })).rejects.toThrow(message);
      expect(existsSync(path)).toBe(false);
    },
  );
});
