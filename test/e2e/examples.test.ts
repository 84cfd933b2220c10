/**
 * The example apps under examples/ build with their own bundler config and run: each prints the bundle it embeds
 * and, for the sample kernel ids, which BTF it would hand to libbpf and how it matched.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLERS, REPO } from './bundlers.js';

/** Runs an npm script of an example (npm runs scripts of pnpm-installed packages the same way). */
function script(example: string, name: string): string {
  return execFileSync('npm', ['run', '--silent', name], {
    cwd: join(REPO, 'examples', example),
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

describe('examples', () => {
  it.each(BUNDLERS)('examples/%s builds and runs', (bundler) => {
    script(bundler, 'build');
    const out = script(bundler, 'start');
    expect(out).toMatch(/^bundle: 8 kernels, \d+ distinct BTFs, \d+ bytes$/m);
    expect(out).toMatch(/built for execsnoop\.bpf\.o \(sha256 [0-9a-f]{12}…\)/);
    expect(out).toMatch(/built for opensnoop\.bpf\.o \(sha256 [0-9a-f]{12}…\)/);
    expect(out).toMatch(/^this kernel/m);
    expect(out).toMatch(
      /^debian\/12\/x86_64\/6\.1\.0-54-amd64: btf_custom_path=\S+ \(exact match of debian\/12\/x86_64\/6\.1\.0-54-amd64, \d+ bytes\)$/m,
    );
    expect(out).toMatch(
      /^debian\/12\.8\/amd64\/6\.1\.0-52-amd64: btf_custom_path=\S+ \(bracketed match of /m,
    );
    expect(out).toMatch(
      /^debian\/12\/aarch64\/6\.1\.0-50-arm64: btf_custom_path=\S+ \(normalized match of /m,
    );
  });
});
