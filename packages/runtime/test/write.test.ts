import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpftoolMissing, oracleSkipReason } from '../../../test/oracle/availability.js';
import { InvalidKernelKeyError, wrapBtfInElf, writeBtfFile } from '../src/index.js';
import { loadSet } from './helpers.js';

const btf = loadSet('ab')[0]!.blob;
const skip = oracleSkipReason(bpftoolMissing());

describe('writeBtfFile', () => {
  it('removes its directory when the process exits, unless asked to keep it', () => {
    const runtime = new URL('../dist/index.js', import.meta.url).href;
    const script = (keep: boolean) =>
      `import { writeBtfFile } from ${JSON.stringify(runtime)};` +
      `console.log(await writeBtfFile(new Uint8Array([1, 2, 3]), { keep: ${keep} }));`;
    const run = (keep: boolean) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script(keep)], {
        encoding: 'utf8',
      }).trim();
    expect(() => statSync(dirname(run(false)))).toThrow();
    const kept = run(true);
    try {
      expect(readFileSync(kept)).toEqual(Buffer.from([1, 2, 3]));
    } finally {
      rmSync(dirname(kept), { recursive: true });
    }
  });

  it('writes raw BTF into a fresh 0700 directory under tmpdir', async () => {
    const path = await writeBtfFile({ bytes: btf });
    try {
      expect(dirname(dirname(path))).toBe(tmpdir());
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path).equals(Buffer.from(btf))).toBe(true);
      const other = await writeBtfFile(btf);
      expect(dirname(other)).not.toBe(dirname(path));
      rmSync(dirname(other), { recursive: true });
    } finally {
      rmSync(dirname(path), { recursive: true });
    }
  });

  it('names the ELF file vmlinux-<release> and rejects traversal in the release', async () => {
    const path = await writeBtfFile(btf, { elf: true, release: '6.1.0-47-amd64' });
    expect(path.endsWith('/vmlinux-6.1.0-47-amd64')).toBe(true);
    rmSync(dirname(path), { recursive: true });
    for (const release of ['../../etc/passwd', 'a/b', '..', 'x\0y', '']) {
      await expect(writeBtfFile(btf, { elf: true, release })).rejects.toThrow(InvalidKernelKeyError);
    }
  });

  it.skipIf(skip !== undefined)(
    `produces files bpftool reads (raw and ELF)${skip ? ` (skipped: ${skip})` : ''}`,
    async () => {
      const raw = await writeBtfFile(btf);
      const elf = await writeBtfFile(btf, { elf: true, release: '6.1.0-47-amd64' });
      try {
        const dump = (p: string) => execFileSync('bpftool', ['btf', 'dump', 'file', p], { encoding: 'utf8' });
        const expected = dump(raw);
        expect(expected).toContain("STRUCT 'task_struct'");
        expect(dump(elf)).toBe(expected);
      } finally {
        rmSync(dirname(raw), { recursive: true });
        rmSync(dirname(elf), { recursive: true });
      }
    },
  );
});

describe('wrapBtfInElf', () => {
  it('builds an ELF64 whose byte order follows the BTF', () => {
    const le = wrapBtfInElf(btf);
    expect([...le.subarray(0, 6)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1]);
    const be = Uint8Array.from(btf);
    be[0] = 0xeb;
    be[1] = 0x9f;
    expect(wrapBtfInElf(be)[5]).toBe(2);
  });
});

describe('writeBtfFile on signals', () => {
  const runtime = new URL('../dist/index.js', import.meta.url).href;

  /**
   * Start a Node child that writes a BTF file (after running `setup`), prints its path and waits; send it `signal`
   * and return how it ended and whether the file's directory is still there.
   */
  async function signalled(signal: NodeJS.Signals, setup = '') {
    const script =
      `import { writeBtfFile } from ${JSON.stringify(runtime)};${setup}` +
      'console.log(await writeBtfFile(new Uint8Array([1, 2, 3]))); setInterval(() => {}, 1000);';
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const path = await new Promise<string>((ok) =>
      child.stdout.once('data', (d: Buffer) => ok(d.toString().trim())),
    );
    expect(existsSync(path)).toBe(true);
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
      child.once('exit', (code, sig) => ok({ code, signal: sig })),
    );
    child.kill(signal);
    const outcome = await Promise.race([
      ended,
      new Promise<'alive'>((ok) => setTimeout(() => ok('alive'), 1500)),
    ]);
    const left = existsSync(dirname(path));
    if (outcome === 'alive') child.kill('SIGKILL');
    rmSync(dirname(path), { recursive: true, force: true });
    return { outcome, left };
  }

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    'removes the directory on %s, then dies by it',
    async (signal) => {
      expect(await signalled(signal)).toEqual({ outcome: { code: null, signal }, left: false });
    },
  );

  it('leaves the signal to an application listener: removed when it exits, kept while it goes on', async () => {
    const exits = "process.on('SIGTERM', () => process.exit(7));";
    expect(await signalled('SIGTERM', exits)).toEqual({ outcome: { code: 7, signal: null }, left: false });
    const ignores = "process.on('SIGINT', () => {});";
    expect(await signalled('SIGINT', ignores)).toEqual({ outcome: 'alive', left: true });
  });
});
