import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRacy } from '../src/util/file-identity.js';

/**
 * Wait until no file of `paths` is racy (see `isRacy`): until then a build over them is not remembered and an
 * object's hash is not recorded, which tests of those records must wait out.
 */
export async function settled(paths: readonly string[]): Promise<void> {
  while (paths.some((p) => isRacy(statSync(p, { bigint: true }), Date.now()))) await sleep(50);
}
