import { formatError } from '../errors.js';
import { OutputPathError } from '../output-guard.js';
import { ArgumentError } from './args.js';

/** A CLI sub-command: parses its own arguments and returns the process exit code. */
export type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  'min-core-btf': {
    summary: 'min-core-btf INPUT OUTPUT OBJECT... | --inputdir DIR --outputdir DIR --object OBJ...',
    load: () => import('./min-core-btf.js'),
  },
  explain: { summary: 'explain OBJECT... --btf FILE [--json]', load: () => import('./explain.js') },
  build: {
    summary:
      'build --snapshot DIR|git+URL[#REF] --objects GLOB... --out FILE [--report FILE] [--report-html FILE] [options]',
    load: () => import('./build.js'),
  },
  inspect: {
    summary: 'inspect BUNDLE [--json] [--extract KERNEL --out FILE]',
    load: () => import('./inspect.js'),
  },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  btf-bundle ${c.summary}`);
  return [
    'usage:',
    ...lines,
    '  btf-bundle help [COMMAND]',
    '  btf-bundle --version',
    '',
    "Run 'btf-bundle help <command>' (or 'btf-bundle <command> --help') for a command's options.",
    'Exit status: 0 success, 1 failure, 2 command-line mistake (also an output path refused before any work).',
  ].join('\n');
}

/** The version of this package, read from its package.json only when asked. */
async function version(): Promise<string> {
  return (await import('../version/version.js')).TOOL_VERSION;
}

async function runCommand(name: string, argv: string[]): Promise<number> {
  const command = COMMANDS[name];
  if (!command)
    throw new ArgumentError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
  const { run } = await command.load();
  try {
    return await run(argv);
  } catch (err) {
    if (err instanceof ArgumentError) {
      throw new ArgumentError(`${name}: ${err.detail} (see 'btf-bundle help ${name}')`);
    }
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(usage());
    return 2;
  }
  if (name === '--help' || name === '-h') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    console.log(await version());
    return 0;
  }
  if (name === 'help') {
    const [topic, ...extra] = rest;
    if (extra.length > 0) throw new ArgumentError(`help takes one command, got '${rest.join(' ')}'`);
    if (topic === undefined || topic === '--help' || topic === '-h') {
      console.log(usage());
      return 0;
    }
    return runCommand(topic, ['--help']);
  }
  return runCommand(name, rest);
}

/**
 * Print `err` as one line (never a stack trace; BTF_BUNDLE_DEBUG=1 adds it for bug reports); set the exit code: 2
 * for a command-line mistake (an argument, or an output path refused before any work), 1 for any other failure.
 */
function fail(err: unknown): void {
  console.error(`btf-bundle: ${formatError(err)}`);
  if (process.env.BTF_BUNDLE_DEBUG && err instanceof Error) console.error(err.stack);
  process.exitCode = err instanceof ArgumentError || err instanceof OutputPathError ? 2 : 1;
}

/**
 * Ctrl-C (or SIGTERM): the kernels being minimized are finished and cached, no other is started, every file being
 * written is finished or removed (never a temp file or a partial output left), then the process exits with
 * 128 + the signal's number. A second signal kills it at once.
 */
async function interrupt(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  const code = signal === 'SIGINT' ? 130 : 143;
  // From here on either signal has its default action: a second one ends the process at once, carried out by the
  // kernel. A JavaScript handler would not run when the exit below hangs: `process.exit` waits for Node's thread
  // pool, forever when one of its threads is blocked in a read that never returns.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  console.error(
    `btf-bundle: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}, finishing the files being written`,
  );
  const [{ stopKernelTasks }, { settleAtomicWrites }] = await Promise.all([
    import('../batch/pool.js'),
    import('../util/atomic-write.js'),
  ]);
  await stopKernelTasks();
  await settleAtomicWrites();
  process.exit(code);
}

process.once('SIGINT', () => void interrupt('SIGINT'));
process.once('SIGTERM', () => void interrupt('SIGTERM'));
// A library may throw from a callback (a stream, a timer), out of reach of main's promise: still one line.
process.on('uncaughtException', (err) => {
  fail(err);
  process.exit();
});
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, fail);
