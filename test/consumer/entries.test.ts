/**
 * The packages' entries as package.json declares them: every `exports` target (and `typesVersions` path) is a
 * file of the build, the main entries re-export named symbols only (no `export *`), and what a main entry exports
 * is not exported again from its `/internal` entry; a name exported by several entries is one and the same value
 * (one class, whichever entry it is imported from), and the runtime's main entry loads two modules, not one per
 * source file. Needs `pnpm build`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = ['core', 'runtime', 'unplugin'].map((name) =>
  join(import.meta.dirname, '../../packages', name),
);

interface PackageJson {
  name: string;
  exports: Record<string, Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

const packageJson = (dir: string): PackageJson =>
  JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

/** Every file a package.json points at through `exports` and `typesVersions`. */
function entryFiles(pkg: PackageJson): string[] {
  const exported = Object.values(pkg.exports).flatMap((conditions) => Object.values(conditions));
  const typed = Object.values(pkg.typesVersions ?? {}).flatMap((paths) => Object.values(paths).flat());
  return [...exported, ...typed].filter((path) => !path.includes('*'));
}

describe.each(PACKAGES)('%s', (dir) => {
  const pkg = packageJson(dir);

  it('points its exports and typesVersions at files of the build', () => {
    const missing = entryFiles(pkg).filter((path) => !existsSync(join(dir, path)));
    expect(missing).toEqual([]);
  });

  it('names what its main entry exports (no export *)', () => {
    expect(readFileSync(join(dir, 'src/index.ts'), 'utf8')).not.toMatch(/^export \*/m);
  });
});

describe.each(PACKAGES.filter((dir) => packageJson(dir).exports['./internal']))('%s/internal', (dir) => {
  const pkg = packageJson(dir);
  const load = async (entry: string) =>
    Object.keys(await import(pathToFileURL(join(dir, pkg.exports[entry]?.default ?? '')).href));

  it('exports nothing that the main entry exports', async () => {
    const main = new Set(await load('.'));
    expect(main.size).toBeGreaterThan(0);
    expect((await load('./internal')).filter((name) => main.has(name))).toEqual([]);
  });
});

/** The modules that `file` loads, itself included, following its relative static imports. */
function moduleGraph(file: string, seen = new Set<string>()): Set<string> {
  seen.add(file);
  const imports = /^(?:import|export)\b[^;]*?from\s*(["'])(\.[^"']+)\1/gms;
  for (const [, , path] of readFileSync(file, 'utf8').matchAll(imports)) {
    const next = join(dirname(file), path!);
    if (!seen.has(next)) moduleGraph(next, seen);
  }
  return seen;
}

describe('runtime entries', () => {
  const dir = PACKAGES.find((path) => path.endsWith('runtime'))!;
  const pkg = packageJson(dir);
  const fileOf = (entry: string) => join(dir, pkg.exports[entry]?.default ?? '');

  it('export one value per name, whichever entry it is imported from', async () => {
    const seen = new Map<string, { entry: string; value: unknown }>();
    const different: string[] = [];
    for (const entry of Object.keys(pkg.exports)) {
      const module = (await import(pathToFileURL(fileOf(entry)).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        const first = seen.get(name);
        if (!first) seen.set(name, { entry, value });
        else if (first.value !== value) different.push(`${name}: ${first.entry} and ${entry}`);
      }
    }
    expect(seen.has('BundleCorruptError')).toBe(true);
    expect(different).toEqual([]);
  });

  it('loads two modules from its main entry: itself and the code it shares with the internal entry', () => {
    expect(moduleGraph(fileOf('.')).size).toBeLessThanOrEqual(2);
  });
});
