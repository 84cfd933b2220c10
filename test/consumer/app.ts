/** A consumer app in a temp directory outside the workspace, built from the README's snippets and packed tarballs. */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { corpusObject, REPO, SNAPSHOT } from '../e2e/bundlers.js';
import { snippet } from './readme.js';

/** pnpm as the README runs it. */
export const PNPM = ['npx', '-y', 'pnpm@10'];

/** Kernels of the sample snapshot copied into the app's `btfhub-archive`. */
export const KERNELS = [
  'debian/12/x86_64/6.1.0-54-amd64',
  'debian/12/x86_64/6.12.117+deb12-amd64',
  'debian/12/arm64/6.1.0-50-arm64',
];

/** The objects the app's bundle is minimized for: the imported `src/probe.bpf.o` and the globbed `bpf/`. */
export const PROBE = corpusObject('opensnoop');
/** The object under `bpf/`, which the `objects` option adds. */
export const EXTRA = corpusObject('execsnoop');

/**
 * The environment of a fresh shell: without the `NODE_PATH` into the workspace that pnpm's launcher of the test
 * runner sets, nor the `npm_config_*`/`npm_package_*` variables of `pnpm test` (npm warns about pnpm's own keys).
 */
function freshEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => name !== 'NODE_PATH' && !/^npm_(config|package|lifecycle)_/i.test(name),
    ),
  );
  return { ...inherited, ...env };
}

const failure = (cmd: string, args: string[], cwd: string, why: string, stderr: string, stdout: string) =>
  new Error(`${cmd} ${args.join(' ')} (in ${cwd}): ${why}\n${stderr}\n${stdout}`);

const TIMEOUT_MS = 600_000;

/** Runs a command as in a fresh shell; returns its stdout, or throws with the command, exit status and stderr. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: freshEnv(env), timeout: TIMEOUT_MS });
  if (r.status !== 0) {
    throw failure(cmd, args, cwd, r.error?.message ?? `exit ${r.status ?? r.signal}`, r.stderr, r.stdout);
  }
  return r.stdout;
}

/** {@link run} without blocking: several commands can run at once. */
export function runAsync(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(cmd, args, { cwd, env: freshEnv({}), timeout: TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) fail(failure(cmd, args, cwd, err.message, stderr, stdout));
      else done(stdout);
    });
  });
}

/** Packs the three packages into `<app>/vendor` with the README's commands, run from the repository. */
export function packTarballs(snippets: Map<string, string>, app: string): void {
  run('bash', ['-euc', snippet(snippets, 'pack')], REPO, { APP: app });
}

/** Reads `package/<file>` out of a tarball. */
export const tarballFile = (tarball: string, file: string): string =>
  run('tar', ['-xzOf', tarball, `package/${file}`], dirname(tarball));

/**
 * Writes the README's app into `dir` (package.json with `devDependencies` added, the vite config, tsconfig and
 * `src/main.ts`), with the tarballs of `vendor`, the probe object, one object under `bpf/` and {@link KERNELS}
 * as the snapshot.
 */
export function writeApp(
  dir: string,
  snippets: Map<string, string>,
  vendor: string,
  devDependencies: Record<string, string> = {},
): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  cpSync(vendor, join(dir, 'vendor'), { recursive: true });
  const pkg = JSON.parse(snippet(snippets, 'package.json')) as { devDependencies: Record<string, string> };
  pkg.devDependencies = { ...pkg.devDependencies, ...devDependencies };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  for (const file of ['vite.config.js', 'tsconfig.json', 'src/main.ts']) {
    writeFileSync(join(dir, file), snippet(snippets, file));
  }
  cpSync(PROBE, join(dir, 'src/probe.bpf.o'));
  mkdirSync(join(dir, 'bpf'));
  cpSync(EXTRA, join(dir, 'bpf/execsnoop.bpf.o'));
  for (const id of KERNELS) {
    const file = `${id}.btf.tar.xz`;
    mkdirSync(dirname(join(dir, 'btfhub-archive', file)), { recursive: true });
    cpSync(join(SNAPSHOT, file), join(dir, 'btfhub-archive', file));
  }
}

/** The version range the e2e tests install of a bundler, so the app's install hits the package store. */
export function e2eVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(REPO, 'test/e2e/package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const version = pkg.devDependencies[name];
  if (!version) throw new Error(`test/e2e/package.json has no devDependency ${name}`);
  return version;
}
