/**
 * The committed WebAssembly decoder (src/bundle/decoder-wasm.ts) is what wasm/*.c and the per-kind tables of
 * src/format/btf-columns.ts build to with Debian's clang-19 and lld-19 (scripts/build-wasm.mjs --check). Outside
 * CI the test is skipped when those tools are missing; in CI it always runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const TOOLS = [process.env.CLANG ?? 'clang-19', process.env.WASM_LD ?? 'wasm-ld-19'];
const missing = TOOLS.filter((tool) => spawnSync(tool, ['--version']).status !== 0);
if (missing.length > 0 && process.env.CI === 'true')
  throw new Error(`the WebAssembly decoder cannot be rebuilt in CI: ${missing.join(', ')} missing`);

describe.skipIf(missing.length > 0)('WebAssembly decoder build', () => {
  it('the committed module is what wasm/*.c builds to', () => {
    const script = join(import.meta.dirname, '../scripts/build-wasm.mjs');
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
