import type { BuildProgress } from '../build/types.js';

/** Where progress goes: a stream with an optional TTY flag and width (process.stderr fits). */
export interface ProgressStream {
  /** Whether the stream is a terminal (then a redrawn bar is shown). */
  isTTY?: boolean;
  /** Terminal width. */
  columns?: number;
  /** Write text. */
  write(text: string): unknown;
}

function eta(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = Math.round(ms / 1000);
  return ` ETA ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Kernels per second so far, once a kernel is done. */
function rate(p: BuildProgress): string {
  if (p.done === 0 || p.elapsedMs <= 0) return '';
  const perSecond = (p.done * 1000) / p.elapsedMs;
  return ` ${perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1)} kernels/s`;
}

/** What {@link progressReporter} returns. */
export interface ProgressReporter {
  /** Shows how far the build is. */
  update(p: BuildProgress): void;
  /** Says `line` now, on a line of its own (the bar, if drawn, is cleared and drawn again by the next update). */
  note(line: string): void;
  /** Finishes the bar's line once the build is over. */
  end(): void;
}

/**
 * A build progress reporter: on a TTY a single redrawn bar (`[#####.....] 12/40 3.1 kernels/s ETA 0m09s kernel`),
 * otherwise one plain line per kernel with the same figures.
 */
export function progressReporter(stream: ProgressStream): ProgressReporter {
  let drawn = false;
  return {
    update(p) {
      const counter = `${p.done}/${p.total}`;
      if (!stream.isTTY) {
        stream.write(`[${counter}] ${p.current}${rate(p)}${eta(p.etaMs)}\n`);
        return;
      }
      const width = 24;
      const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${counter}${rate(p)}${eta(p.etaMs)} ${p.current}`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
      drawn = true;
    },
    note(line) {
      stream.write(`${drawn ? '\r\x1b[K' : ''}${line}\n`);
      drawn = false;
    },
    end() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
