// A kernel type of 2^31 bytes or more: libbpf's candidate matching keeps type sizes in a C int, so the size reads
// as negative and the relocation fails ("error matching candidate ...: -2147483648", bpftool 7.1 and 7.5 alike).
// Our resolver fails it the same way instead of reducing the BTF as if nothing were wrong; one byte less is fine.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../packages/core/src/btf/btf.js';
import { Kind } from '../../packages/core/src/btf/format.js';
import { minimizeBtf } from '../../packages/core/src/minimize/minimize.js';
import { parseBpfObject } from '../../packages/core/src/object.js';
import { readKernelBtf } from '../../packages/core/src/snapshot/input.js';
import { tempDirs } from '../../packages/core/test/temp-dirs.js';
import { oracleSkipReason } from '../oracle/availability.js';
import { BPFTOOLS } from '../oracle/upstream.js';
import { referenceKernel } from './corpus.js';

const execFileAsync = promisify(execFile);
const OBJECT = new URL('../oracle/testdata/oracle-probe.bpf.o', import.meta.url).pathname;
const temp = tempDirs();

/** The reference kernel with `task_struct` claiming `size` bytes, written to a temp file; returns its path. */
async function kernelWithTaskStructOf(size: number): Promise<string> {
  const bytes = (await readKernelBtf(referenceKernel())).slice();
  const btf = Btf.parse(bytes);
  let id = 1;
  while (!(btf.kind(id) === Kind.STRUCT && btf.name(id) === 'task_struct')) id++;
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(btf.recordOffset(id) + 8, size, btf.littleEndian);
  const path = join(temp('btf-huge-'), `task_struct-${size}.btf`);
  writeFileSync(path, bytes);
  return path;
}

const minimize = (path: string) =>
  minimizeBtf(Btf.parse(new Uint8Array(readFileSync(path)), { file: path }), [
    parseBpfObject(readFileSync(OBJECT), 'oracle-probe.bpf.o'),
  ]);

describe('a kernel struct of 2^31 bytes', () => {
  it('fails the relocations that match it, naming the type and its size; 2^31 - 1 bytes is reduced', async () => {
    const huge = await kernelWithTaskStructOf(2 ** 31);
    expect(() => minimize(huge)).toThrow(
      /STRUCT 'task_struct' is 2147483648 bytes: libbpf's candidate matching holds sizes in an int and fails/,
    );
    const large = await kernelWithTaskStructOf(2 ** 31 - 1);
    expect(minimize(large).btf.length).toBeGreaterThan(0);
  });

  for (const tool of BPFTOOLS) {
    const skip = oracleSkipReason(tool.missing());
    it.skipIf(skip !== undefined)(
      `${tool.label} fails the same kernel the same way${skip ? ` (skipped: ${skip})` : ''}`,
      async () => {
        const huge = await kernelWithTaskStructOf(2 ** 31);
        const out = join(temp('btf-huge-out-'), 'min.btf');
        const run = await execFileAsync(tool.bin, ['gen', 'min_core_btf', huge, out, OBJECT]).catch(
          (err: { stderr: string }) => ({ stderr: err.stderr }),
        );
        expect(run.stderr).toMatch(
          /error matching candidate #\d+ <byte_off> \[\d+\] struct task_struct .*: -2147483648/,
        );
        expect(existsSync(out)).toBe(false);
        const large = await kernelWithTaskStructOf(2 ** 31 - 1);
        const ok = await execFileAsync(tool.bin, ['gen', 'min_core_btf', large, out, OBJECT]);
        expect(ok.stderr).not.toMatch(/error/);
        expect(existsSync(out)).toBe(true);
      },
    );
  }
});
