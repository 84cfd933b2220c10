#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runWithCompileCache } from './compile-cache.js';

/**
 * The `btf-bundle` executable as bundled into dist/bin/ (scripts/bundle-cli.mjs): it runs the CLI bundle next to
 * it, `cli.cjs`, with V8's code cache, one per sub-command. (Run from dist/cli/ by tsc's output, it finds no
 * `cli.cjs`: only the bundled form is an executable.)
 */
const command = process.argv[2] ?? '';
runWithCompileCache(
  fileURLToPath(new URL('./cli.cjs', import.meta.url)),
  /^[a-z][a-z-]{0,30}$/.test(command) ? command : 'other',
);
