import { formatBytes } from '../util/bytes.js';
import { htmlData } from './html-data.js';
import { HTML_SCRIPT, HTML_STYLE } from './html-page.js';
import { count } from './kernel-list.js';
import type { BuildReport } from './report.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** JSON safe inside a `<script>` element: no `<`, so no `</script>` or `<!--` can end it early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/**
 * The coverage picture of a build as one self-contained HTML page (inline style, script and data; no
 * external asset): kernels × objects coloured by verdict (relocated, poisoned but guarded, poisoned unguarded,
 * error), grouped by distro and version, runs of identical BTFs marked, a filter box, counts per verdict and the
 * legend of the text report. Deterministic: the same report gives the same bytes.
 */
export function renderHtmlReport(report: BuildReport, title = 'btf-bundle coverage'): string {
  const s = report.stats;
  const swatch = (cls: string, label: string, what: string) =>
    `<span><i class="sw ${cls}"></i><b>${label}</b> <span id="count-${cls}">0</span> — ${what}</span>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${HTML_STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="totals"><span><b id="kernels">${count(s.kernels.total)}</b> kernels: ${count(s.kernels.covered)} covered, ${count(s.kernels.failed)} failed, ${count(s.kernels.skipped)} skipped</span>
<span><b>${count(report.objects.length)}</b> objects</span>
<span>${count(s.distinctBlobs)} distinct BTFs (dedup ratio ${s.dedupRatio.toFixed(2)})</span>
<span>raw ${formatBytes(s.rawBytes)} → bundle ${formatBytes(s.bundleBytes)}</span></p>
<p class="legend">kernel × object cells:
${swatch('r', 'relocated', 'every relocation gets the kernel’s value; it loads')}
${swatch('g', 'guarded', 'poisoned instructions, each behind an existence check that answered 0; it loads')}
${swatch('p', 'unguarded', 'a poisoned instruction no check guards; the verifier rejects a program that reaches it')}
${swatch('e', 'error', 'libbpf refuses the object on this kernel')}
<span><i class="sw n"></i>not minimized for this kernel</span>
<br>A blue bar marks a run: consecutive releases with identical reduced BTFs; a release missing inside a run matches as <i>bracketed</i>.</p>
<div class="controls"><input id="filter" type="search" placeholder="filter kernels (e.g. debian/12, cloud, 6.1.0-2)" aria-label="filter kernels">
<label><input id="problems" type="checkbox"> only kernels with unguarded or error cells</label>
— showing <b id="shown">0</b> of ${count(s.kernels.total)}</div>
<table id="grid"></table>
<div id="tip"></div>
<script type="application/json" id="data">${scriptJson(htmlData(report))}</script>
<script>${HTML_SCRIPT}</script>
</body></html>
`;
}
