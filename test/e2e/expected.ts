/** The oracle of the e2e tests: the `btf-bundle min-core-btf` CLI's output per kernel, and running a build's output. */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, SNAPSHOT } from './bundlers.js';

const CLI = join(REPO, 'packages/core/dist/bin/btf-bundle.cjs');

/** Hex sha256 of a file. */
export const sha256File = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

const minimized = new Map<string, Uint8Array>();

/**
 * What `btf-bundle min-core-btf` (the CLI, robust mode) writes for the snapshot kernel `id`
 * (`distro/version/arch/release`) and `objects` (paths); memoized per kernel and object set.
 */
export async function coreMinimization(id: string, objects: string[]): Promise<Uint8Array> {
  const sorted = [...objects].sort();
  const key = JSON.stringify([id, sorted]);
  const known = minimized.get(key);
  if (known) return known;
  const [distro, version, arch, release] = id.split('/');
  const kernel = join(SNAPSHOT, `${distro}/${version}/${arch}/${release}.btf.tar.xz`);
  const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-e2e-cli-'));
  try {
    const out = join(dir, 'out.btf');
    execFileSync(process.execPath, [CLI, 'min-core-btf', kernel, out, ...sorted]);
    const bytes = new Uint8Array(readFileSync(out));
    minimized.set(key, bytes);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the fixture app prints. */
export interface FixtureOutput {
  kernels: string[];
  objects: { name: string; sha256: string }[];
  probe: string;
  probeFile: string;
  /** The `?path` import of the probe, when it is a string. */
  probePath: string;
  btfs: Record<string, { match: string; base64: string } | null>;
}

/** Runs a built fixture with node, asking for `kernels`. */
export function runFixture(entry: string, kernels: string[]): FixtureOutput {
  return JSON.parse(
    execFileSync(process.execPath, [entry, ...kernels], { encoding: 'utf8' }),
  ) as FixtureOutput;
}
