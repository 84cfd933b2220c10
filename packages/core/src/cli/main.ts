#!/usr/bin/env node
import { BtfBundleError } from '../errors.js';

/** A CLI sub-command: parses its own arguments and returns the process exit code. */
export type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  'min-core-btf': {
    summary: 'min-core-btf INPUT OUTPUT OBJECT... | --inputdir DIR --outputdir DIR --object OBJ...',
    load: () => import('./min-core-btf.js'),
  },
  explain: { summary: 'explain OBJECT... --btf FILE', load: () => import('./explain.js') },
  build: {
    summary:
      'build --snapshot DIR --objects GLOB... --out FILE [--report FILE] [--include GLOB] [--exclude GLOB]',
    load: () => import('./build.js'),
  },
  inspect: { summary: 'inspect BUNDLE [--extract KERNEL --out FILE]', load: () => import('./inspect.js') },
};

function usage(): string {
  const lines = Object.values(COMMANDS).map((c) => `  btf-bundle ${c.summary}`);
  return `usage:\n${lines.join('\n')}\n\nRun 'btf-bundle <command> --help' for a command's options.`;
}

/** A command-line parsing error from `node:util` parseArgs (unknown option, missing or ambiguous value). */
function isArgumentError(err: unknown): err is Error {
  return err instanceof Error && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`btf-bundle: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  const { run } = await command.load();
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof BtfBundleError || isArgumentError(err)) console.error(`btf-bundle: ${err.message}`);
    else console.error(err);
    process.exitCode = 1;
  },
);
