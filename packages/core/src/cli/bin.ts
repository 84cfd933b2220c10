#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runWithCompileCache } from './compile-cache.js';

/** The V8 flags of a single-kernel `min-core-btf` run (see below). */
const SINGLE_KERNEL_V8_FLAGS = '--no-turbo-inlining --interrupt-budget=540672';

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
// The same run is mostly over before TurboFan's code pays for its compile time: with an interrupt budget 8 times
// Node 20's default (67,584 bytecode bytes, `node --v8-options`), V8 optimizes only the functions that stay hot,
// and a single kernel takes 10-20% less wall time, ~20% less CPU and ~10% fewer page faults (BENCHMARKS.md).
// node:v8 (which loads Node's stream modules) is loaded for this run only.
if (singleKernel) process.getBuiltinModule('node:v8').setFlagsFromString(SINGLE_KERNEL_V8_FLAGS);
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
