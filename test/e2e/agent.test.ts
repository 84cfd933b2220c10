/**
 * examples/agent end to end: built with the plugin against a snapshot holding the running kernel's BTF, the agent
 * loads its CO-RE program with libbpf using the bundled (minimized) BTF as `btf_custom_path` although the kernel has
 * its own, attaches it, and prints the execs this test triggers. Needs the bpf() syscall (root): skipped locally
 * without it, a failure under CI.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { detectKernel, kernelId } from '@btf-bundle/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfSyscallMissing, oracleSkipReason } from '../oracle/availability.js';
import { corpusObject, REPO, SNAPSHOT } from './bundlers.js';

const AGENT = join(REPO, 'examples/agent');
const OBJECT = join(AGENT, 'bpf/exec-events.bpf.o');
const CLI = join(REPO, 'packages/core/dist/bin/btf-bundle.cjs');
const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
/** A second kernel of the sample snapshot, so the bundle has to pick the running one. */
const OTHER_KERNEL = 'debian/12/x86_64/6.1.0-54-amd64';
/** The name the exec'd probe binary gets (15 characters: the kernel's comm holds it whole). */
const PROBE_NAME = 'agent-e2e-probe';
/** The unprivileged user the agent runs as to check its error (Debian's `nobody`). */

const skip = oracleSkipReason(
  bpfSyscallMissing(),
  existsSync(KERNEL_BTF) ? undefined : `the kernel has no BTF (${KERNEL_BTF}) to build the bundle from`,
);

/** A running agent: its output lines as they come, and its exit. */
class RunningAgent {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  private readonly child: ChildProcess;
  private waiters: { pattern: RegExp; found: (line: string) => void }[] = [];

  /**
   * Starts `node dist/agent.js ...args`, with `env` added to the environment; `unprivileged`: with no capability
   * at all (util-linux `setpriv` empties the bounding and inheritable sets, so the process keeps its user and can
   * read the checkout wherever it is, but may not load BPF).
   */
  constructor(
    args: string[],
    { env = {}, unprivileged = false }: { env?: Record<string, string>; unprivileged?: boolean } = {},
  ) {
    const command = [process.execPath, 'dist/agent.js', ...args];
    const [file, ...argv] = unprivileged
      ? ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--', ...command]
      : command;
    this.child = spawn(file as string, argv, {
      cwd: AGENT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    this.child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      const matched = this.waiters.filter((w) => w.pattern.test(line));
      this.waiters = this.waiters.filter((w) => !matched.includes(w));
      for (const w of matched) w.found(line);
    });
    this.exited = new Promise((done) => this.child.on('close', (code) => done({ code, stderr })));
  }

  /** The first output line matching `pattern`; rejects with the agent's output if it exits without one. */
  waitFor(pattern: RegExp): Promise<string> {
    const seen = this.lines.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((found, fail) => {
      this.waiters.push({ pattern, found });
      this.exited.then(({ code, stderr }) =>
        fail(
          new Error(
            `agent exited (${code}) before printing ${pattern}:\n${this.lines.join('\n')}\n${stderr}`,
          ),
        ),
      );
    });
  }

  stop(): void {
    this.child.kill('SIGTERM');
  }
}

/** The `key=value` fields of an agent output line. */
const fields = (line: string): Record<string, string> =>
  Object.fromEntries(
    line.split(' ').flatMap((part) => (part.includes('=') ? [part.split(/=(.*)/s, 2)] : [])),
  );

/** Runs `btf-bundle min-core-btf` on the running kernel's BTF for `object`; returns the output file `out`. */
function minCoreBtf(object: string, out: string): string {
  execFileSync(process.execPath, [CLI, 'min-core-btf', KERNEL_BTF, out, object]);
  return out;
}

describe.skipIf(skip !== undefined)(`examples/agent${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const running = detectKernel();
  let work: string;
  let probe: string;
  let expected: Buffer;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'btf-bundle-agent-e2e-'));
    // A BTFHub-layout snapshot: the running kernel's own BTF under the id the runtime detects, and a sample kernel.
    const snapshot = join(work, 'snapshot');
    const id = kernelId(running);
    mkdirSync(join(snapshot, dirname(id)), { recursive: true });
    copyFileSync(KERNEL_BTF, join(snapshot, `${id}.btf`));
    if (id !== OTHER_KERNEL) {
      mkdirSync(join(snapshot, dirname(OTHER_KERNEL)), { recursive: true });
      copyFileSync(
        join(SNAPSHOT, `${OTHER_KERNEL}.btf.tar.xz`),
        join(snapshot, `${OTHER_KERNEL}.btf.tar.xz`),
      );
    }
    execFileSync('npm', ['run', '--silent', 'build'], {
      cwd: AGENT,
      env: { ...process.env, AGENT_BTF_SNAPSHOT: snapshot, npm_config_update_notifier: 'false' },
      stdio: 'pipe',
    });
    expected = readFileSync(minCoreBtf(OBJECT, join(work, 'exec-events.btf')));
    probe = join(work, PROBE_NAME);
    copyFileSync('/bin/true', probe);
    chmodSync(probe, 0o755);
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('loads and attaches its program with the bundled BTF and prints the execs it sees', async () => {
    const agent = new RunningAgent(['--btf', 'bundle', '--duration', '100']);
    try {
      const btf = fields(await agent.waitFor(/^btf: /));
      expect(btf).toMatchObject({
        source: 'bundle',
        match: `exact:${kernelId(running)}`,
        bytes: String(expected.length),
        sha256: createHash('sha256').update(expected).digest('hex'),
      });
      // the minimized BTF, written to a private temp file, is what libbpf got as btf_custom_path
      expect(readFileSync(btf.path!).equals(expected)).toBe(true);
      expect(expected.length).toBeLessThan(readFileSync(KERNEL_BTF).length / 100);
      await agent.waitFor(/^attached: handle_exec of \S+\.bpf\.o$/);

      const pids = [1, 2, 3].map(() => {
        const run = spawnSync(probe);
        expect(run.status).toBe(0);
        return run.pid;
      });
      for (const pid of pids) {
        const line = await agent.waitFor(new RegExp(`^exec pid=${pid} `));
        expect(fields(line)).toEqual({
          pid: String(pid),
          ppid: String(process.pid),
          uid: String(process.getuid?.()),
          comm: PROBE_NAME,
          filename: probe,
        });
      }

      agent.stop();
      const { code, stderr } = await agent.exited;
      expect(code, stderr).toBe(0);
      const events = Number(/^detached after (\d+) events$/.exec(agent.lines.at(-1) ?? '')?.[1]);
      expect(events).toBeGreaterThanOrEqual(pids.length);
      expect(existsSync(dirname(btf.path!)), 'temp BTF directory removed at exit').toBe(false);
    } finally {
      agent.stop();
    }
  });

  it("with --btf auto on a kernel with BTF, lets libbpf use the kernel's own", async () => {
    const agent = new RunningAgent(['--duration', '1']);
    const { code, stderr } = await agent.exited;
    expect(code, stderr).toBe(0);
    expect(fields(agent.lines[0] ?? '')).toMatchObject({ source: 'kernel', path: KERNEL_BTF });
    expect(agent.lines[1]).toMatch(/^attached: handle_exec of /);
    expect(agent.lines.at(-1)).toMatch(/^detached after \d+ events$/);
  });

  it('hands libbpf the BTF it resolved: an override lacking the types fails the CO-RE relocation', async () => {
    // the running kernel's BTF minimized for another object: no linux_binprm, no task_struct.tgid
    const override = minCoreBtf(corpusObject('opensnoop'), join(work, 'opensnoop.btf'));
    const agent = new RunningAgent(['--duration', '5'], { env: { BTF_BUNDLE_BTF_PATH: override } });
    const { code, stderr } = await agent.exited;
    expect(agent.lines[0]).toMatch(/^btf: /);
    expect(fields(agent.lines[0]!)).toMatchObject({ source: 'override', path: override });
    expect(code).toBe(1);
    expect(stderr).toMatch(/failed to resolve CO-RE relocation/);
    expect(stderr).toMatch(/^agent: cannot load \S+\.bpf\.o: /m);
  });

  it('without privileges, reports the failed load in one line and exits 1', async () => {
    const agent = new RunningAgent(['--btf', 'bundle', '--duration', '5'], { unprivileged: true });
    const { code, stderr } = await agent.exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^agent: cannot load \S+\.bpf\.o: Operation not permitted \(errno 1\)$/m);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
