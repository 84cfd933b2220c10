/** Debian's headless chromium as a test browser: load a page, return its DOM after its scripts ran and its console errors. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

/** Undefined when `chromium --headless` runs here, otherwise why not. */
export function chromiumMissing(): string | undefined {
  const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0)
    return `chromium not found (apt install chromium): ${r.error?.message ?? r.stderr}`;
  return undefined;
}

/** A page as chromium saw it. */
export interface LoadedPage {
  /** The serialized DOM once the page loaded and its scripts ran. */
  dom: string;
  /** Uncaught exceptions and console errors the page logged. */
  errors: string[];
}

/** Loads `url` in a fresh headless chromium profile (no network needed) and dumps its DOM. */
export function loadPage(url: string): LoadedPage {
  const profile = mkdtempSync(join(tmpdir(), 'btf-chromium-'));
  try {
    const r = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        '--dump-dom',
        url,
      ],
      { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 },
    );
    if (r.error || r.status !== 0)
      throw new Error(`chromium failed on ${url}: ${r.error?.message ?? r.stderr}`);
    const errors = r.stderr.split('\n').filter((l) => /CONSOLE.*(Uncaught|Error)/i.test(l));
    return { dom: r.stdout, errors };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
