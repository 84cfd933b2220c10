/** Style sheet of the HTML report (inlined: the page has no external assets). */
export const HTML_STYLE = `
body{font:13px/1.4 system-ui,sans-serif;margin:1em;color:#222}
h1{font-size:18px;margin:0 0 .3em}
.legend span,.totals span{margin-right:1.2em;white-space:nowrap}
.sw{display:inline-block;width:12px;height:12px;vertical-align:-2px;margin-right:4px;border-radius:2px}
.r{background:#3f9b4f}.g{background:#e8c440}.p{background:#e0592a}.e{background:#7d1616}.n{background:#eee}
.controls{margin:.8em 0;position:sticky;top:0;background:#fff;padding:.4em 0;z-index:2}
.controls input[type=search]{width:24em;padding:3px 6px}
table{border-collapse:collapse}
th.o{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;font-size:11px;padding:2px 0;max-height:14em;overflow:hidden;white-space:nowrap}
td.c{width:9px;height:14px;padding:0;border:1px solid #fff}
td.k{white-space:nowrap;padding:0 8px 0 4px;font-family:ui-monospace,monospace;font-size:12px}
td.s{padding:0 6px;color:#555;white-space:nowrap}
td.why{color:#7d1616;padding-left:6px;white-space:nowrap}
td.run{padding:0 6px;white-space:nowrap;font-size:11px;color:#345;border-left:3px solid transparent}
tr.inrun td.run{border-left-color:#5b7db8}
tr.band td.k{background:#eef3fb}
tr.group th{text-align:left;padding:8px 4px 2px;font-size:14px;border-bottom:1px solid #ccc}
tr.hide{display:none}
#tip{position:fixed;display:none;background:#fffbe6;border:1px solid #bba;padding:4px 8px;font-size:12px;white-space:pre;pointer-events:none;z-index:3}
`;

/**
 * Script of the HTML report: draws the kernel × object grid from the embedded JSON, counts the cells of each
 * verdict, applies the filter box (also from `#filter=TEXT&problems=1` in the URL) and shows a cell's counts on
 * hover. It marks `<body data-ready>` when done (with `data-draw-ms`, the time drawing took), and `data-error` with
 * the message on any script error.
 */
export const HTML_SCRIPT = `
'use strict';
const started = performance.now();
window.addEventListener('error', (e) => { document.body.dataset.error = String(e.message); });
const data = JSON.parse(document.getElementById('data').textContent);
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const kib = (n) => n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';
const CLASS = { r: 'r', g: 'g', p: 'p', e: 'e', '-': 'n' };
const tally = { r: 0, g: 0, p: 0, e: 0 };
const kernels = [];
let head = '<thead><tr><th></th><th></th><th></th>';
data.objects.forEach((o) => { head += '<th class="o" title="' + esc(o) + '">' + esc(o) + '</th>'; });
head += '</tr></thead>';
let body = '';
let band = false;
let lastRun = 0;
for (const group of data.groups) {
  body += '<tbody><tr class="group"><th colspan="' + (3 + data.objects.length) + '">' + esc(group.name) +
    ' <small>(' + group.kernels.length + (group.kernels.length === 1 ? ' kernel' : ' kernels') + ')</small></th></tr>';
  for (const k of group.kernels) {
    const i = kernels.push(k) - 1;
    let cells = '';
    let problem = k.status !== 'covered';
    for (const ch of k.cells) {
      if (ch in tally) tally[ch]++;
      if (ch === 'p' || ch === 'e') problem = true;
      cells += '<td class="c ' + CLASS[ch] + '"></td>';
    }
    k.problem = problem;
    let run = '';
    let cls = '';
    if (k.run) {
      cls = 'inrun';
      if (k.run[0] !== lastRun) { band = !band; run = 'run ' + k.run[0] + ' · ' + k.run[1] + ' kernels'; }
      lastRun = k.run[0];
      if (band) cls += ' band';
    } else lastRun = 0;
    const size = k.bytes ? kib(k.bytes[0]) + ' → ' + (k.bytes[1] === null ? '-' : kib(k.bytes[1])) : '';
    const why = k.reason ? '<td class="why">' + esc(k.reason) + '</td>' : '';
    body += '<tr data-k="' + i + '" class="' + cls + '"><td class="k">' + esc(k.id) + '</td><td class="s">' + k.status +
      (size ? ' · ' + size : '') + '</td><td class="run">' + run + '</td>' + cells + why + '</tr>';
  }
  body += '</tbody>';
}
$('grid').innerHTML = head + body;
for (const ch of Object.keys(tally)) $('count-' + ch).textContent = tally[ch].toLocaleString('en-US');
const rows = [...document.querySelectorAll('#grid tr[data-k]')];
function apply() {
  const text = $('filter').value.trim().toLowerCase();
  const problems = $('problems').checked;
  let shown = 0;
  for (const tr of rows) {
    const k = kernels[Number(tr.dataset.k)];
    const show = (!text || k.id.toLowerCase().includes(text)) && (!problems || k.problem);
    tr.classList.toggle('hide', !show);
    if (show) shown++;
  }
  for (const tb of document.querySelectorAll('#grid tbody')) {
    tb.rows[0].classList.toggle('hide', ![...tb.rows].some((r) => r.dataset.k && !r.classList.contains('hide')));
  }
  $('shown').textContent = shown.toLocaleString('en-US');
}
const params = new URLSearchParams(location.hash.slice(1));
$('filter').value = params.get('filter') || '';
$('problems').checked = params.get('problems') === '1';
$('filter').addEventListener('input', apply);
$('problems').addEventListener('change', apply);
apply();
const tip = $('tip');
$('grid').addEventListener('mousemove', (e) => {
  const td = e.target.closest && e.target.closest('td.c');
  if (!td) { tip.style.display = 'none'; return; }
  const k = kernels[Number(td.parentElement.dataset.k)];
  const col = td.cellIndex - 3;
  const c = k.counts[col];
  tip.textContent = k.id + '\\n' + data.objects[col] + '\\n' + (c ? c[0] + ' relocations: ' + c[1] + ' relocated (' + c[2] +
    ' absent), ' + c[3] + ' poisoned (' + c[4] + ' guarded), ' + c[5] + ' errors' + (c[6] ? ', ' + c[6] + ' skipped' : '') :
    'not minimized for this kernel');
  tip.style.left = e.clientX + 12 + 'px';
  tip.style.top = e.clientY + 12 + 'px';
  tip.style.display = 'block';
});
document.body.dataset.drawMs = String(Math.round(performance.now() - started));
document.body.dataset.ready = '1';
`;
