#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runWithCompileCache } from './compile-cache.js';

/**
 * The `btf-bundle` executable as bundled into dist/bin/ (scripts/bundle-cli.mjs): it runs the CLI bundle next to
 * it, `cli.cjs`, with V8's code cache, one per kind of run. (Run from dist/cli/ by tsc's output, it finds no
 * `cli.cjs`: only the bundled form is an executable.)
 */
const args = process.argv.slice(2);
const command = args[0] ?? '';
// A help run compiles next to nothing: a cache of its own, lest it stand for its sub-command's (a cache is only
// replaced when V8 refuses it).
const help = args.includes('--help') || args.includes('-h');
// One kernel's minimization is over in a fifth of a second, mostly before optimized code arrives: without
// inlining, TurboFan compiles the hot functions in a fraction of the time (on the core the work shares with it),
// and the run takes ~15% less (BENCHMARKS.md). A batch keeps inlining: over many kernels the faster code wins.
const singleKernel =
  command === 'min-core-btf' && !help && !args.some((a) => a === '--inputdir' || a.startsWith('--inputdir='));
if (singleKernel) setFlagsFromString('--no-turbo-inlining');
runWithCompileCache(
  fileURLToPath(new URL('./cli.cjs', import.meta.url)),
  // V8 refuses a cache made with other flags: the single-kernel form has its own.
  help
    ? 'help'
    : singleKernel
      ? 'min-core-btf-single'
      : /^[a-z][a-z-]{0,30}$/.test(command)
        ? command
        : 'other',
  // The CommonJS `require` of this script once bundled (it is never run unbundled, see above).
  require,
);
