import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BtfBundleError } from '../src/errors.js';
import { writeReportFiles } from '../src/report/files.js';
import { computeStats } from '../src/report/report.js';

const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-report-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = {
  version: 1 as const,
  objects: [],
  kernels: [],
  stats: computeStats([], { distinctBlobs: 0, bundleBytes: 0, ms: 1 }),
};

describe('writeReportFiles', () => {
  it.each(['json', 'html'] as const)(
    'names the %s report, not its temp file, when the write fails',
    async (kind) => {
      const target = join(dir, `taken-${kind}`);
      mkdirSync(target); // a directory where the report should go: the rename over it fails
      const failure = await writeReportFiles(report, { [kind]: target }).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(BtfBundleError);
      expect((failure as Error).message).toMatch(new RegExp(`^${target}: cannot rename`));
      expect((failure as Error).message).not.toContain('.tmp');
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
  );
});
