#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runWithCompileCache } from './compile-cache.js';

/**
 * The `btf-bundle` executable as bundled into dist/bin/ (scripts/bundle-cli.mjs): it runs the CLI bundle next to
 * it, `cli.cjs`, with V8's code cache, one per sub-command. (Run from dist/cli/ by tsc's output, it finds no
 * `cli.cjs`: only the bundled form is an executable.)
 */
// What a command reads (objects, a kernel's index, the reports of a batch) lives until it ends, so V8's young
// generation, which starts at 1 MB and doubles at each scavenge, copies the same survivors again and again on its
// way up: one kernel × 51 objects took 6 scavenges. Growing it 16-fold takes 2 (a few MB of peak memory more).
setFlagsFromString('--semi-space-growth-factor=16');
const command = process.argv[2] ?? '';
runWithCompileCache(
  fileURLToPath(new URL('./cli.cjs', import.meta.url)),
  /^[a-z][a-z-]{0,30}$/.test(command) ? command : 'other',
);
