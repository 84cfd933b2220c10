import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
// the built package (self-reference): its runtime entry is dist/runtime.js
import { unplugin } from 'unplugin-btf-bundle';
import { afterAll, expect, it } from 'vitest';

const repo = (path: string) => new URL(`../../../${path}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-unplugin-esbuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('esbuild: warnings (a kernel that fails) go to the build result, the output has no NUL byte', async () => {
  const kernels = join(dir, 'snapshot/debian/12/x86_64');
  mkdirSync(kernels, { recursive: true });
  cpSync(
    repo('sample-snapshot/debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz'),
    join(kernels, '6.1.0-54-amd64.btf.tar.xz'),
  );
  writeFileSync(join(kernels, '6.1.0-99-amd64.btf'), 'not a BTF');
  cpSync(repo('packages/core/testdata/opensnoop.bpf.o'), join(dir, 'probe.bpf.o'));
  writeFileSync(
    join(dir, 'main.js'),
    "import { kernels } from 'virtual:btf-bundle';\nimport './probe.bpf.o';\nconsole.log(kernels);\n",
  );
  const result = await build({
    entryPoints: [join(dir, 'main.js')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: join(dir, 'out/main.mjs'),
    write: false,
    logLevel: 'silent',
    plugins: [unplugin.esbuild({ snapshot: join(dir, 'snapshot'), cacheDir: false })],
  });
  expect(result.warnings.map((w) => [w.pluginName, w.text])).toEqual([
    ['unplugin-btf-bundle', expect.stringContaining('6.1.0-99-amd64')],
  ]);
  const [output] = result.outputFiles ?? [];
  expect(output?.contents.includes(0)).toBe(false);
  expect(output?.text).toContain('virtual:btf-bundle');
});
