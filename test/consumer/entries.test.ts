/**
 * The packages' entries as package.json declares them: every `exports` target (and `typesVersions` path) is a
 * file of the build, the main entries re-export named symbols only (no `export *`), and what a main entry exports
 * is not exported again from its `/internal` entry. Needs `pnpm build`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
