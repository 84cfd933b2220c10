#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runWithCompileCache } from './compile-cache.js';

/**
 * The `btf-bundle` executable as bundled into dist/bin/ (scripts/bundle-cli.mjs): it runs the CLI bundle next to
 * it, `cli.cjs`, with V8's code cache, one per sub-command. (Run from dist/cli/ by tsc's output, it finds no
 * `cli.cjs`: only the bundled form is an executable.)
 */
const command = process.argv[2] ?? '';
const args = process.argv.slice(2);
// A help run compiles next to nothing: a cache of its own, lest it stand for its sub-command's (a cache is only
// replaced when V8 refuses it).
const help = args.includes('--help') || args.includes('-h');
runWithCompileCache(
  fileURLToPath(new URL('./cli.cjs', import.meta.url)),
  help ? 'help' : /^[a-z][a-z-]{0,30}$/.test(command) ? command : 'other',
  // The CommonJS `require` of this script once bundled (it is never run unbundled, see above).
  require,
);
