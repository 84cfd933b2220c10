/** The oracle of the e2e tests: the core's single-kernel minimization, and running a build's output. */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Btf, minimizeBtf, parseBpfObject, readKernelBtf } from '@btf-bundle/core';
import { REPO } from './bundlers.js';

/** Hex sha256 of a file. */
export const sha256File = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex');

/** `minimizeBtf` of the snapshot kernel `id` (`distro/version/arch/release`) for `objects` (paths). */
export async function coreMinimization(id: string, objects: string[]): Promise<Uint8Array> {
  const path = join(
    REPO,
    'sample-snapshot',
    `${id.split('/').slice(0, 3).join('/')}/${id.split('/')[3]}.btf.tar.xz`,
  );
  const target = Btf.parse(await readKernelBtf(path), { file: path });
  const parsed = [...objects].sort().map((o) => parseBpfObject(new Uint8Array(readFileSync(o)), basename(o)));
  return minimizeBtf(target, parsed, { littleEndian: target.littleEndian }).btf;
}

/** What the fixture app prints. */
export interface FixtureOutput {
  kernels: string[];
  objects: { name: string; sha256: string }[];
  probe: string;
  probeFile: string;
  btfs: Record<string, { match: string; base64: string } | null>;
}

/** Runs a built fixture with node, asking for `kernels`. */
export function runFixture(entry: string, kernels: string[]): FixtureOutput {
  return JSON.parse(
    execFileSync(process.execPath, [entry, ...kernels], { encoding: 'utf8' }),
  ) as FixtureOutput;
}
