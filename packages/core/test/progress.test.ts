import { describe, expect, it } from 'vitest';
import { progressReporter } from '../src/cli/progress.js';

const lines = (tty: boolean) => {
  const out: string[] = [];
  const reporter = progressReporter({ isTTY: tty, columns: 120, write: (t) => out.push(t) });
  reporter.update({ done: 1, total: 1000, current: 'ubuntu/20.04/x86_64/5.4.0-42-generic', elapsedMs: 400 });
  reporter.update({
    done: 250,
    total: 1000,
    current: 'centos/8/x86_64/4.18.0-305.el8.x86_64',
    elapsedMs: 20_000,
    etaMs: 60_000,
  });
  reporter.end();
  return out;
};

describe('progressReporter', () => {
  it('prints one line per kernel with the rate and the ETA when not on a terminal', () => {
    expect(lines(false)).toEqual([
      '[1/1000] ubuntu/20.04/x86_64/5.4.0-42-generic 2.5 kernels/s\n',
      '[250/1000] centos/8/x86_64/4.18.0-305.el8.x86_64 13 kernels/s ETA 1m00s\n',
    ]);
  });

  it('redraws one bar on a terminal and ends its line', () => {
    const out = lines(true);
    expect(out[1]).toBe(
      '\r[######..................] 250/1000 13 kernels/s ETA 1m00s centos/8/x86_64/4.18.0-305.el8.x86_64\x1b[K',
    );
    expect(out.at(-1)).toBe('\n');
  });

  it('says a note on a line of its own: over the bar on a terminal, which the next update draws again', () => {
    for (const tty of [true, false]) {
      const out: string[] = [];
      const reporter = progressReporter({ isTTY: tty, columns: 120, write: (t) => out.push(t) });
      reporter.note('warning: before');
      reporter.update({ done: 1, total: 2, current: 'a/1/x86_64/1', elapsedMs: 500 });
      reporter.note('warning: while');
      reporter.end();
      expect(out[0]).toBe('warning: before\n');
      expect(out[2]).toBe(tty ? '\r\x1b[Kwarning: while\n' : 'warning: while\n');
      expect(out).toHaveLength(3); // the note ended the bar's line: nothing left for end()
    }
  });
});
