/**
 * Whether the upstream oracles can run on this machine. Each check returns `undefined` when
 * the tool is usable, or a human reason naming what is missing. Oracle tests use
 * {@link oracleSkipReason} with `describe.skipIf`; under CI (`CI=true`) a missing oracle is
 * an error instead of a skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { compileLibbpfHarness } from './libbpf.js';

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { ok: false, out: r.error.message };
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/** Checks that `bpftool` is on PATH and supports `gen min_core_btf`. */
export function bpftoolMissing(): string | undefined {
  const help = run('bpftool', ['gen', 'help']);
  if (!help.out.includes('min_core_btf')) {
    return help.ok || help.out.includes('Usage')
      ? 'bpftool lacks `gen min_core_btf` (need bpftool >= 5.18)'
      : `bpftool not found (apt install bpftool): ${help.out}`;
  }
  return undefined;
}

/** Checks that gcc and the libbpf, libelf and zlib development files are present, i.e. the harness can be built. */
export function harnessToolchainMissing(): string | undefined {
  if (!run('gcc', ['--version']).ok) return 'gcc not found (apt install gcc)';
  const headers: [string, string][] = [
    ['/usr/include/bpf/libbpf.h', 'libbpf-dev'],
    ['/usr/include/gelf.h', 'libelf-dev'],
    ['/usr/include/zlib.h', 'zlib1g-dev'],
  ];
  const missing = headers.filter(([h]) => !existsSync(h)).map(([h, pkg]) => `${h} (${pkg})`);
  if (missing.length > 0) return `missing headers: ${missing.join(', ')}`;
  try {
    compileLibbpfHarness();
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** Checks that the bpf() syscall can load programs here (root or CAP_BPF, no seccomp block). */
export function bpfSyscallMissing(): string | undefined {
  const toolchain = harnessToolchainMissing();
  if (toolchain !== undefined) return `cannot probe bpf(): ${toolchain}`;
  const probe = run(compileLibbpfHarness(), ['--probe']);
  if (probe.ok) return undefined;
  const uid = process.getuid?.();
  return `bpf() unusable${uid !== undefined && uid !== 0 ? ` (not root: uid ${uid})` : ''}: ${probe.out}`;
}

/** Checks everything the libbpf relocation harness needs: toolchain and a working bpf(). */
export function libbpfHarnessMissing(): string | undefined {
  return harnessToolchainMissing() ?? bpfSyscallMissing();
}

/**
 * Combines check results into one skip reason (`undefined` = run the tests). Under CI
 * (`process.env.CI === 'true'`) a missing oracle throws instead, so oracle tests never
 * silently skip there.
 */
export function oracleSkipReason(...checks: (string | undefined)[]): string | undefined {
  const missing = checks.filter((c): c is string => c !== undefined);
  if (missing.length === 0) return undefined;
  const reason = missing.join('; ');
  if (process.env.CI === 'true') throw new Error(`oracle tests cannot run in CI: ${reason}`);
  return reason;
}
