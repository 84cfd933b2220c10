import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLERS,
  buildFixture,
  CACHE_DIR,
  corpusObject,
  type FixtureBuild,
  prepareFixture,
  SNAPSHOT,
  WORK,
} from './bundlers.js';
import { coreMinimization, runFixture, sha256File } from './expected.js';

const KERNELS = [
  'debian/12/x86_64/6.1.0-47-amd64',
  'debian/12/x86_64/6.12.117+deb12-amd64',
  'debian/12/arm64/6.1.0-50-arm64',
];
const PROBE = corpusObject('opensnoop');
const EXTRA = corpusObject('execsnoop');
/** The one line that ends every build (packages/unplugin/README.md). */
const SUMMARY =
  /btf-bundle: \d+\/\d+ kernels, \d+ distinct BTFs, [\d.]+ (B|KiB) bundle, \d+ ms, \d+ cache hits/;

const expected = new Map<string, Buffer>();
beforeAll(async () => {
  for (const id of KERNELS) expected.set(id, Buffer.from(await coreMinimization(id, [PROBE, EXTRA])));
});

describe.each(BUNDLERS)('%s', (bundler) => {
  it('a ?path import of an object whose name has spaces, quotes and non-ASCII letters gives its emitted copy', async () => {
    const dir = join(WORK, `${bundler}-object-names`);
    const entry = prepareFixture(dir, PROBE);
    const name = `my probé+v2@x'y"z (1)%.bpf.o`;
    copyFileSync(PROBE, join(dir, 'src', name));
    const code = readFileSync(entry, 'utf8').replace(
      "'./probe.bpf.o?path'",
      JSON.stringify(`./${name}?path`),
    );
    writeFileSync(entry, code);
    const plugin = { snapshot: SNAPSHOT, cacheDir: CACHE_DIR, include: ['debian/12/x86_64/6.1.0-47-amd64*'] };
    const output = runFixture(await buildFixture({ bundler, dir, format: 'esm', plugin }), []);
    expect(output.probeFile).toBe(sha256File(PROBE));
    expect(output.probePath.startsWith(join(dir, 'out', name.replace(/\.bpf\.o$/, '-')))).toBe(true);
  });

  it.each(['inline', 'asset'] as const)(
    'emit %s: the built app finds the min-core-btf CLI output of each kernel; one summary line is logged',
    async (emit) => {
      const logged: string[] = [];
      const build: FixtureBuild = {
        bundler,
        dir: join(WORK, `${bundler}-${emit}`),
        // both module formats in every bundler
        format: emit === 'inline' ? 'esm' : 'cjs',
        plugin: { snapshot: SNAPSHOT, objects: [EXTRA], emit, cacheDir: CACHE_DIR },
        log: (line) => logged.push(line),
      };
      prepareFixture(build.dir, PROBE);
      const entry = await buildFixture(build);
      expect(
        logged.filter((line) => SUMMARY.test(line)),
        logged.join('\n'),
      ).toHaveLength(1);
      const out = runFixture(entry, KERNELS);

      expect(out.probe).toBe(sha256File(PROBE));
      expect(out.probeFile).toBe(sha256File(PROBE));
      expect(out.probePath.startsWith(`${join(build.dir, 'out')}/`), out.probePath).toBe(true);
      expect(out.objects).toEqual(
        expect.arrayContaining([
          { name: 'probe.bpf.o', sha256: sha256File(PROBE) },
          { name: 'execsnoop.bpf.o', sha256: sha256File(EXTRA) },
        ]),
      );
      expect(out.kernels).toEqual(expect.arrayContaining(KERNELS));
      for (const id of KERNELS) {
        expect(out.btfs[id]?.match).toBe('exact');
        expect(Buffer.from(out.btfs[id]!.base64, 'base64').equals(expected.get(id)!), id).toBe(true);
      }
      const assets = readdirSync(dirname(entry)).filter((f) => f.endsWith('.btfb'));
      expect(assets).toHaveLength(emit === 'asset' ? 1 : 0);
    },
  );
});

it('per-arch objects: imported objects apply to every arch, listed ones to their arch only', async () => {
  const build: FixtureBuild = {
    bundler: 'esbuild',
    dir: join(WORK, 'esbuild-per-arch'),
    format: 'esm',
    plugin: {
      snapshot: SNAPSHOT,
      objects: { x86_64: [EXTRA] },
      cacheDir: CACHE_DIR,
      reportHtml: join(WORK, 'esbuild-per-arch', 'coverage.html'),
    },
  };
  prepareFixture(build.dir, PROBE);
  const [x86, arm64] = [KERNELS[0]!, KERNELS[2]!];
  const out = runFixture(await buildFixture(build), [x86, arm64]);
  expect(Buffer.from(out.btfs[x86]!.base64, 'base64').equals(expected.get(x86)!)).toBe(true);
  const probeOnly = Buffer.from(await coreMinimization(arm64, [PROBE]));
  expect(Buffer.from(out.btfs[arm64]!.base64, 'base64').equals(probeOnly)).toBe(true);
  const coverage = readFileSync(join(build.dir, 'coverage.html'), 'utf8');
  for (const id of [x86, arm64]) expect(coverage).toContain(`"id":"${id}"`);
});
