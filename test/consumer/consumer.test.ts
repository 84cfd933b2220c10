/**
 * Consumer end-to-end tests: the three packages packed as they would be published, installed from the tarballs
 * with npm and pnpm into fresh apps outside the workspace, built with vite (the README's app, verbatim), rollup,
 * esbuild, webpack and rspack, then run with `node_modules` deleted; the BTFs the outputs hand out are compared
 * with `btf-bundle min-core-btf`. Needs `pnpm build` and the npm registry (installs prefer the local cache).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLERS, type Bundler, REPO } from '../e2e/bundlers.js';
import { coreMinimization, type FixtureOutput, sha256File } from '../e2e/expected.js';
import {
  EXTRA,
  e2eVersion,
  KERNELS,
  PNPM,
  PROBE,
  packTarballs,
  run,
  runAsync,
  tarballFile,
  writeApp,
} from './app.js';
import { readmeSnippets } from './readme.js';

const WORK = mkdtempSync(join(tmpdir(), 'btf-bundle-consumer-'));
const VENDOR = join(WORK, 'vendor');
const snippets = readmeSnippets();
const TARBALLS = [
  'btf-bundle-runtime-0.1.0.tgz',
  'btf-bundle-core-0.1.0.tgz',
  'unplugin-btf-bundle-0.1.0.tgz',
];
const INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];
/** The `moduleResolution`s the README app type-checks under, with a `module` each accepts. */
const MODULE_RESOLUTIONS = [
  ['NodeNext', 'NodeNext'],
  ['Node16', 'Node16'],
  ['ESNext', 'Bundler'],
  ['ESNext', 'Node10'],
] as const;
/** An app's install, builds and type checks, on a 2-core machine shared with other work. */
const APP_SETUP_MS = 900_000;

/** What the README's app prints. */
interface MainOutput {
  probePath: string;
  source: string;
  btfPath?: string;
  kernels: number;
  objects: { name: string; sha256: string }[];
}

/** Runs a build of the e2e fixture (`src/check.js`), asking for `kernels`. */
const runCheck = (entry: string, kernels: string[]): FixtureOutput =>
  JSON.parse(run(process.execPath, [entry, ...kernels], WORK)) as FixtureOutput;

/** Every file under `dir`. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

const EXPECTED_OBJECTS = [
  { name: 'execsnoop.bpf.o', sha256: sha256File(EXTRA) },
  { name: 'probe.bpf.o', sha256: sha256File(PROBE) },
];

/** The README's app, run with `BTF_BUNDLE_BTF_PATH` set to a real BTF so that the result does not depend on the host. */
async function runReadmeApp(app: string): Promise<MainOutput> {
  const override = join(WORK, 'override.btf');
  writeFileSync(override, await coreMinimization(KERNELS[0]!, [PROBE, EXTRA]));
  const out = run(process.execPath, ['dist/main.js'], app, { BTF_BUNDLE_BTF_PATH: override });
  const printed = JSON.parse(out) as MainOutput;
  expect(printed).toMatchObject({ source: 'override', btfPath: override, kernels: KERNELS.length });
  expect(printed.objects).toEqual(EXPECTED_OBJECTS);
  expect(sha256File(printed.probePath)).toBe(sha256File(PROBE));
  return printed;
}

beforeAll(() => packTarballs(snippets, WORK));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe('packed packages', () => {
  it('replace workspace: ranges by real versions', () => {
    expect(readdirSync(VENDOR).sort()).toEqual([...TARBALLS].sort());
    for (const tarball of TARBALLS) {
      const pkg = tarballFile(join(VENDOR, tarball), 'package.json');
      expect(pkg).not.toContain('workspace:');
      expect(tarballFile(join(VENDOR, tarball), 'LICENSE')).toContain('Apache License');
    }
  });

  it('ship the sources their source maps point at, and READMEs without relative links', () => {
    for (const tarball of TARBALLS) {
      const dir = join(WORK, 'unpacked', tarball);
      mkdirSync(dir, { recursive: true });
      run('tar', ['-xzf', join(VENDOR, tarball), '-C', dir], WORK);
      const root = join(dir, 'package');
      for (const map of filesUnder(root).filter((f) => f.endsWith('.map'))) {
        const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
        for (const source of sources)
          expect(existsSync(join(map, '..', source)), `${map} → ${source}`).toBe(true);
      }
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      expect(readme).not.toMatch(/\]\((?!https?:\/\/|#)/);
      expect(readme).not.toMatch(/spec §|btfgen-spec|fflate/);
    }
  });

  it('npm publish --dry-run is clean (no warning but the missing login)', async () => {
    const outputs = await Promise.all(
      TARBALLS.map((tarball) => runAsync('bash', ['-c', `npm publish --dry-run ${tarball} 2>&1`], VENDOR)),
    );
    for (const output of outputs) {
      const warnings = output.split('\n').filter((l) => /npm (warn|error|ERR)/i.test(l));
      expect(warnings.filter((l) => !l.includes('requires you to be logged in'))).toEqual([]);
      expect(output).toContain('with tag latest and public access');
    }
  });
});

describe('npm: an app with every bundler, run without node_modules', () => {
  const app = join(WORK, 'npm-app');
  const out = (bundler: Bundler, mode: string) => join(app, 'out', `${bundler}-${mode}`);
  const entry = (bundler: Bundler, mode: string) =>
    join(out(bundler, mode), bundler === 'webpack' || bundler === 'rspack' ? 'check.cjs' : 'check.mjs');
  const typeErrors = new Map<string, string>();
  const externalRuns = new Map<Bundler, FixtureOutput>();

  beforeAll(async () => {
    const extra = Object.fromEntries(
      ['rollup', 'esbuild', 'webpack', '@rspack/core'].map((n) => [n, e2eVersion(n)]),
    );
    writeApp(app, snippets, VENDOR, extra);
    cpSync(join(REPO, 'test/e2e/fixtures/app/main.js'), join(app, 'src/check.js'));
    cpSync(join(import.meta.dirname, 'fixtures/build-checks.mjs'), join(app, 'build-checks.mjs'));
    run('npm', ['install', ...INSTALL_FLAGS], app);
    run('npm', ['run', 'build'], app);
    // the type checks run while the bundlers build
    const tsconfig = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8'));
    const typeChecks = MODULE_RESOLUTIONS.map(async ([module, moduleResolution]) => {
      const file = `tsconfig.${moduleResolution}.json`;
      const compilerOptions = { ...tsconfig.compilerOptions, module, moduleResolution };
      writeFileSync(join(app, file), JSON.stringify({ ...tsconfig, compilerOptions }));
      const errors = await runAsync(
        process.execPath,
        ['node_modules/typescript/bin/tsc', '-p', file],
        app,
      ).then(
        () => '',
        (err: Error) => err.message,
      );
      typeErrors.set(moduleResolution, errors);
    });
    for (const bundler of BUNDLERS) {
      await runAsync(process.execPath, ['build-checks.mjs', bundler, join(app, 'out')], app);
      externalRuns.set(bundler, runCheck(entry(bundler, 'external'), [KERNELS[0]!]));
    }
    await Promise.all(typeChecks);
    rmSync(join(app, 'node_modules'), { recursive: true });
  }, APP_SETUP_MS);

  it('the README app (vite SSR build) runs', async () => {
    await runReadmeApp(app);
  });

  it.each(MODULE_RESOLUTIONS.map(([, m]) => m))(
    'the README app type-checks under moduleResolution %s',
    (m) => {
      expect(typeErrors.get(m)).toBe('');
    },
  );

  describe.each(BUNDLERS)('%s', (bundler) => {
    it.each(['inline', 'asset'])(
      'emit %s: runs and hands out the BTFs of btf-bundle min-core-btf',
      async (emit) => {
        const printed = runCheck(entry(bundler, emit), KERNELS);
        expect(printed.objects).toEqual(EXPECTED_OBJECTS);
        expect([...printed.kernels].sort()).toEqual([...KERNELS].sort());
        for (const id of KERNELS) {
          const expected = Buffer.from(await coreMinimization(id, [PROBE, EXTRA])).toString('base64');
          expect(printed.btfs[id], id).toEqual({ match: 'exact', base64: expected });
        }
        const outputs = filesUnder(out(bundler, emit));
        expect(outputs.some((f) => f.endsWith('.btfb'))).toBe(emit === 'asset');
        for (const file of outputs.filter((f) => /\.[cm]?js$/.test(f))) {
          const code = readFileSync(file);
          expect(code.includes(0), `${file} has a NUL byte`).toBe(false);
          expect(code.toString()).not.toMatch(/__btf_bundle__|["']unplugin-btf-bundle\/runtime["']/);
        }
      },
    );

    it("runtimeModule 'external': imports the runtime, which runs only with node_modules", () => {
      expect(externalRuns.get(bundler)?.objects).toEqual(EXPECTED_OBJECTS);
      expect(readFileSync(entry(bundler, 'external'), 'utf8')).toMatch(
        /["']unplugin-btf-bundle\/runtime["']/,
      );
      expect(() => runCheck(entry(bundler, 'external'), [])).toThrow(
        /Cannot find (module|package) 'unplugin-btf-bundle/,
      );
    });
  });
});

describe('pnpm: the README app verbatim, run without node_modules', () => {
  const app = join(WORK, 'pnpm-app');

  beforeAll(() => {
    writeApp(app, snippets, VENDOR);
    // CI=true makes pnpm require a lockfile by default: a fresh app has none
    run(PNPM[0]!, [...PNPM.slice(1), 'install', '--no-frozen-lockfile', '--prefer-offline'], app);
    run(PNPM[0]!, [...PNPM.slice(1), 'run', 'build'], app);
    rmSync(join(app, 'node_modules'), { recursive: true });
  }, APP_SETUP_MS);

  it('builds and runs', async () => {
    await runReadmeApp(app);
  });
});
