import { type ChildProcess, spawn } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import type { Ending } from './xz-native.js';

/**
 * The shell a thread's read-ahead decoders are started from, in a process group of its own. Each job comes on
 * standard input as lines: an id, a file size limit (in 512-byte blocks), the files for the command's standard
 * output and error, the number of arguments and each argument. The job runs in a subshell under that limit and in
 * the background; the shell writes `s <id> <pid>` once it is started and `d <id> <status>` when it has ended (128 +
 * the signal's number for a command killed by a signal), each line one write: lines of several jobs never mix. A
 * limit the shell cannot set is above the hard limit this process was given, so the command runs under a lower
 * one. Its input ends with the line `q` when this process closes it: the shell then waits for its jobs before it
 * exits (their CPU time is then counted in this process's children's, as when it started the decoders itself).
 * Input that ends without it means this process is gone, whatever ended it (a signal it does not handle, such
 * as a Ctrl-C in a bundler that leaves SIGINT to its default): the shell kills its process group, its jobs and
 * itself, at once.
 */
const SCRIPT = `
while IFS= read -r id && [ "$id" != q ] && IFS= read -r blocks && IFS= read -r out && IFS= read -r err &&
  IFS= read -r n; do
  set --
  while [ "$n" -gt 0 ] && IFS= read -r arg; do set -- "$@" "$arg"; n=$((n - 1)); done
  (
    ulimit -f "$blocks" 2>/dev/null
    "$@" >"$out" 2>"$err" &
    echo "s $id $!"
    wait $!
    echo "d $id $?"
  ) &
done
[ "$id" = q ] || kill -s KILL 0
wait
`;

/** One command to run through the launcher. */
export interface LauncherJob {
  /** The command and its arguments (none holding a newline: see {@link canRunInLauncher}). */
  argv: readonly string[];
  /** File size limit of the command, in 512-byte blocks (the shell's `ulimit -f`). */
  blocks: number;
  /** Descriptors of this process, opened for writing, that become the command's standard output and error. */
  stdoutFd: number;
  stderrFd: number;
}

/** A job submitted to the launcher: its process id once started, and how it ended. */
export interface LauncherRun {
  /** The command's process id, or undefined when it never started (the launcher failed first). */
  started: Promise<number | undefined>;
  /** How the command ended; `{ error }` when the launcher itself failed. */
  ended: Promise<Ending>;
}

/** A job waiting for its `s` and `d` lines. */
interface Pending {
  started(pid: number | undefined): void;
  ended(end: Ending): void;
}

/**
 * A `/bin/sh` started once per thread that starts the system xz for each archive decoded ahead. Starting a child
 * from Node forks the whole process (libuv uses `fork()` on Linux): the kernel copies the page tables of a process
 * of 100–200 MiB, and then every page the process writes again takes a copy-on-write fault. A lane that started a
 * decoder per kernel paid that once per kernel (~2,500 faults for an agent-size kernel: several times the fork's
 * own cost, 10 µs each on a machine whose hypervisor handles page tables in software); the launcher is forked once,
 * and the small shell forks for each job.
 */
class XzLauncher {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private buffered = '';
  /** Settles when the shell has exited and its output is closed. */
  private readonly closed: Promise<void>;

  constructor() {
    // Detached: a process group of its own, which the shell kills when this process is gone, and which a
    // terminal's Ctrl-C does not reach (this process decides what becomes of its jobs).
    this.child = spawn('/bin/sh', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (text: string) => this.onOutput(text));
    this.closed = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.fail(err);
        resolve();
      });
      this.child.once('close', () => {
        this.fail(new Error('the xz launcher shell exited'));
        resolve();
      });
    });
    this.child.stdin?.on('error', (err) => this.fail(err));
    this.setRef(false);
  }

  /** Whether the launcher can take jobs (it has not failed). */
  get usable(): boolean {
    return this.failure === undefined;
  }

  /**
   * Submits `job` (to a launcher that has not failed); the launcher keeps this thread's event loop alive while any
   * job is pending.
   */
  run(job: LauncherJob): LauncherRun {
    const id = this.nextId++;
    let started!: (pid: number | undefined) => void;
    let ended!: (end: Ending) => void;
    const run: LauncherRun = {
      started: new Promise((resolve) => (started = resolve)),
      ended: new Promise((resolve) => (ended = resolve)),
    };
    this.pending.set(id, { started, ended });
    if (this.pending.size === 1) this.setRef(true);
    const fd = (n: number) => `/proc/${process.pid}/fd/${n}`;
    const lines = [id, job.blocks, fd(job.stdoutFd), fd(job.stderrFd), job.argv.length, ...job.argv];
    this.child.stdin?.write(`${lines.join('\n')}\n`);
    return run;
  }

  /** Ends the shell's input with `q` and waits for it to exit (after the jobs still running). */
  async close(): Promise<void> {
    this.child.stdin?.end('q\n');
    this.setRef(true);
    await this.closed;
  }

  /** Dispatches the launcher's `s` and `d` lines. */
  private onOutput(text: string): void {
    const lines = (this.buffered + text).split('\n');
    this.buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, id, value] = line.split(' ');
      const job = this.pending.get(Number(id));
      if (!job) continue;
      if (kind === 's') {
        job.started(Number(value));
      }
      if (kind !== 'd') continue;
      this.pending.delete(Number(id));
      if (this.pending.size === 0) this.setRef(false);
      job.started(undefined); // no-op once started
      job.ended(endingOf(Number(value)));
    }
  }

  /** Ends every pending job with `error`; the launcher takes no more jobs (the next one starts a new shell). */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) {
      job.started(undefined);
      job.ended({ error: this.failure });
    }
    this.pending.clear();
    this.setRef(false);
  }

  /** Whether the launcher (its process and pipes) keeps the event loop alive. */
  private setRef(ref: boolean): void {
    // The pipes are sockets: they have ref and unref, which their stream types do not declare.
    const handles = [this.child, this.child.stdin, this.child.stdout] as ({
      ref(): void;
      unref(): void;
    } | null)[];
    for (const handle of handles) {
      if (ref) handle?.ref();
      else handle?.unref();
    }
  }
}

/** The command's ending from the shell's `$?`: above 128, killed by signal `status - 128`. */
function endingOf(status: number): Ending {
  if (status <= 128) return { code: status, signal: null };
  const signal = Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0];
  return signal ? { code: null, signal: signal as NodeJS.Signals } : { code: status, signal: null };
}

let launcher: XzLauncher | undefined;

/** Whether `/proc/<this process's id>` is this process (see {@link canRunInLauncher}); checked once per thread. */
let procIsOurs: boolean | undefined;

/**
 * Whether a job can go through the launcher on this system: its descriptors are reopened by path under
 * `/proc/<pid>/fd` (Linux), and its arguments are lines of the launcher's input, so none may hold a newline. The
 * proc file system must be the one of this process's pid namespace (a container given another's would make that
 * path another process's): `/proc/self` must name this process's id.
 */
export function canRunInLauncher(argv: readonly string[]): boolean {
  if (process.platform !== 'linux' || argv.some((a) => a.includes('\n'))) return false;
  if (procIsOurs === undefined) {
    try {
      procIsOurs = readlinkSync('/proc/self') === String(process.pid);
    } catch {
      procIsOurs = false;
    }
  }
  return procIsOurs;
}

/**
 * Runs `job` through this thread's launcher shell (started on first use, again after a failure), or returns
 * undefined when the launcher cannot be started: the caller then starts the command itself.
 */
export function runInLauncher(job: LauncherJob): LauncherRun | undefined {
  try {
    if (!launcher?.usable) launcher = new XzLauncher();
  } catch {
    return undefined;
  }
  return launcher.run(job);
}

/**
 * Closes this thread's launcher shell, if there is one, once its jobs have ended: what a lane does when it has no
 * more kernels (a later job starts a new shell).
 */
export async function closeLauncher(): Promise<void> {
  const closing = launcher;
  launcher = undefined;
  await closing?.close();
}
