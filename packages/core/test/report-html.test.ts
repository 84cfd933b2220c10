/**
 * The HTML coverage picture (`btf-bundle build --report-html`) opened in a real headless browser (Debian's
 * chromium): it loads without errors, has no external asset, and shows the counts the JSON report implies.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { scaleReport } from '../../../bench/lib/report-scale.js';
import { oracleSkipReason } from '../../../test/oracle/availability.js';
import { blamedObject, objectVerdict } from '../src/report/coverage.js';
import { renderHtmlReport } from '../src/report/html.js';
import type { BuildReport } from '../src/report/report.js';
import { testdata } from './btf-helpers.js';
import { copySnapshot } from './build-fixtures.js';
import { chromiumMissing, loadPage } from './chromium.js';

const CLI = fileURLToPath(new URL('../dist/bin/btf-bundle.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'btf-html-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const skip = oracleSkipReason(chromiumMissing());

/** Cells per verdict letter the page should show for `report`. */
function expectedCells(report: BuildReport): Record<string, number> {
  const names = report.objects.map((o) => o.name);
  const cells: Record<string, number> = { r: 0, g: 0, p: 0, e: 0 };
  const letter = { relocated: 'r', guarded: 'g', poisoned: 'p', error: 'e' } as const;
  for (const k of report.kernels) {
    for (const s of k.objects ?? []) cells[letter[objectVerdict(s)]]!++;
    if (blamedObject(k, names)) cells.e!++;
  }
  return cells;
}

/** What the loaded page says: ready/error markers, the verdict counts and the number of kernels shown. */
function readPage(file: string, hash = '') {
  const { dom, errors } = loadPage(`${pathToFileURL(file).href}${hash}`);
  const number = (id: string) =>
    Number(new RegExp(`id="${id}">([\\d,]+)<`).exec(dom)?.[1]?.replace(/,/g, ''));
  return {
    dom,
    errors,
    ready: /<body[^>]* data-ready="1"/.test(dom),
    failure: /data-error="([^"]*)"/.exec(dom)?.[1],
    cells: { r: number('count-r'), g: number('count-g'), p: number('count-p'), e: number('count-e') },
    shown: number('shown'),
  };
}

describe.skipIf(skip)(`HTML coverage report in headless chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('btf-bundle build --report-html writes a self-contained page that loads and shows the counts', () => {
    const html = join(dir, 'coverage.html');
    const json = join(dir, 'coverage.json');
    const objects = [
      'biolatency.bpf.o',
      'bitfields.bpf.o',
      'enums.bpf.o',
      'opensnoop.bpf.o',
      'err_ambiguity.bpf.o',
    ];
    // Real kernels plus a test target on which err_ambiguity.bpf.o is an error libbpf would fail the load with.
    const snapshot = copySnapshot((path) => path.includes('/x86_64/'));
    onTestFinished(() => rmSync(snapshot, { recursive: true, force: true }));
    mkdirSync(join(snapshot, 'lab/1/x86_64'), { recursive: true });
    copyFileSync(join(testdata, 'targets/candidates.o'), join(snapshot, 'lab/1/x86_64/1.0.0-1-generic.btf'));
    execFileSync('node', [
      CLI,
      'build',
      '--snapshot',
      snapshot,
      ...objects.flatMap((o) => ['--objects', join(testdata, o)]),
      '--out',
      join(dir, 'bundle'),
      '--report',
      json,
      '--report-html',
      html,
      '--no-cache',
      '--quiet',
    ]);
    const report = JSON.parse(readFileSync(json, 'utf8')) as BuildReport;
    const text = readFileSync(html, 'utf8');
    expect(text).not.toMatch(/\b(src|href)\s*=|@import|url\(|https?:\/\//);

    const page = readPage(html);
    expect(page.errors).toEqual([]);
    expect(page.failure).toBeUndefined();
    expect(page.ready).toBe(true);
    expect(page.cells).toEqual(expectedCells(report));
    expect(page.shown).toBe(report.kernels.length);
    expect(page.cells.e).toBe(1);
    expect(page.cells.g).toBeGreaterThan(0);
    expect(page.cells.p).toBeGreaterThan(0);
    expect(page.dom).toMatch(/class="group"><th colspan="8">debian\/12 <small>\(6 kernels\)/);
    expect(page.dom).toMatch(/class="group"><th colspan="8">lab\/1 <small>\(1 kernel\)/);
    expect(page.dom).toContain('field offset ambiguity');
    const cloud = readPage(html, '#filter=cloud');
    expect(cloud.shown).toBe(report.kernels.filter((k) => k.id.includes('cloud')).length);
    expect(cloud.shown).toBeGreaterThan(0);
  });

  it('draws 1,000 kernels × 50 objects with runs, and filters them', () => {
    const report = scaleReport(1000, 50);
    const html = join(dir, 'scale.html');
    writeFileSync(html, renderHtmlReport(report));
    const page = readPage(html);
    expect(page.errors).toEqual([]);
    expect(page.ready).toBe(true);
    expect(page.cells).toEqual(expectedCells(report));
    expect(page.shown).toBe(1000);
    expect(page.dom.match(/run \d+ · 10 kernels/g)).toHaveLength(100);
    expect(readPage(html, '#filter=5.4.0-99').shown).toBe(11); // 99 and 990-999
    expect(readPage(html, '#problems=1').shown).toBe(
      report.kernels.filter((k) => k.objects!.some((s) => objectVerdict(s) === 'poisoned')).length,
    );
  });
});
