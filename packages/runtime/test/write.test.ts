import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
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
