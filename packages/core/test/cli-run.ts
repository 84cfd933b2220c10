import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (an esbuild bundle: `pnpm build` first). */
export const CLI = fileURLToPath(new URL('../dist/bin/btf-bundle.cjs', import.meta.url));

/** What a CLI run printed and returned. */
export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the built CLI with `args` in `cwd` (default the test's cwd), its output decoded as `encoding` (`latin1` keeps
 * binary output byte for byte); never throws on a non-zero exit.
 */
export function runCli(args: readonly string[], cwd?: string, encoding: BufferEncoding = 'utf8'): CliRun {
  const r = spawnSync('node', [CLI, ...args], { encoding, cwd, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
