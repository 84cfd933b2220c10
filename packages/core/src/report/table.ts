import type { BuildReport, KernelReport } from './report.js';

/** `1234567` → `1.2 MB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** `resolved/poisoned(guarded)/total` per object of a covered kernel. */
function relocationCell(kernel: KernelReport): string {
  if (kernel.status !== 'covered') return kernel.reason ?? '';
  return (kernel.objects ?? [])
    .map((o) => `${o.object} ${o.resolved}/${o.total} ok, ${o.poisoned} poisoned (${o.guarded} guarded)`)
    .join('; ');
}

function sizeCell(kernel: KernelReport): string {
  if (kernel.sourceBytes === undefined) return '';
  const after = kernel.btfBytes === undefined ? '-' : formatBytes(kernel.btfBytes);
  return `${formatBytes(kernel.sourceBytes)} → ${after}`;
}

/** Lay out rows as left-aligned columns. */
function columns(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) => row.map((cell, i) => cell.padEnd(i === row.length - 1 ? 0 : (widths[i] ?? 0))).join('  '))
    .join('\n');
}

/**
 * A readable coverage table: one line per kernel (status, sizes before → after, time, per-object relocations or
 * the failure reason), then a summary (counts, dedup ratio, sizes, cache hits, time).
 */
export function formatReport(report: BuildReport): string {
  const rows = [['kernel', 'status', 'size', 'time', 'relocations / reason']];
  for (const k of report.kernels) {
    const time = k.ms === undefined ? '' : `${Math.round(k.ms)} ms${k.cached ? ' (cached)' : ''}`;
    const status = k.status === 'failed' && k.failure === 'unreadable' ? 'unreadable' : k.status;
    rows.push([k.id, status, sizeCell(k), time, relocationCell(k)]);
  }
  const s = report.stats;
  const summary = [
    `${s.kernels.total} kernels: ${s.kernels.covered} covered, ${s.kernels.failed} failed, ${s.kernels.skipped} skipped`,
    `${s.distinctBlobs} distinct BTFs (dedup ratio ${s.dedupRatio.toFixed(2)})`,
    `raw ${formatBytes(s.rawBytes)} → minimized ${formatBytes(s.minimizedBytes)} → bundle ${formatBytes(s.bundleBytes)}`,
    `cache hits ${s.cacheHits}/${s.kernels.covered + s.kernels.failed}, ${(s.ms / 1000).toFixed(1)} s`,
  ];
  return `${columns(rows)}\n\n${summary.join('\n')}`;
}
