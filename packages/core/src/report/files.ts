import { writeOutputFile } from '../util/atomic-write.js';
import { renderHtmlReport } from './html.js';
import type { BuildReport } from './report.js';

/** Where to write a build's reports (each optional). */
export interface ReportFiles {
  /** The JSON report (per-kernel × object counts). */
  json?: string;
  /** The self-contained HTML coverage picture. */
  html?: string;
}

/**
 * Writes the requested reports of `report`, each atomically (never a half-written file); a failure names the
 * report file, not its temp file.
 */
export async function writeReportFiles(report: BuildReport, files: ReportFiles): Promise<void> {
  if (files.json) await writeOutputFile(files.json, `${JSON.stringify(report, null, 2)}\n`);
  if (files.html) await writeOutputFile(files.html, renderHtmlReport(report));
}
