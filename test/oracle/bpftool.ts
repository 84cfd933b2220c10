/**
 * Differential oracle: upstream `bpftool gen min_core_btf`. Used to compare btf-bundle's
 * minimizer with bpftool's output and to obtain reduced BTFs for checking the libbpf harness.
 */
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { oracleTempDir, rawBtfPath } from './btf-files.js';

const execFileAsync = promisify(execFile);

/** Outcome of one `bpftool gen min_core_btf` run: the reduced raw BTF, or bpftool's complaint. */
export type BpftoolResult = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

/**
 * Runs `bpftool gen min_core_btf INPUT OUTPUT OBJ...` in a fresh temporary directory, with `bpftool` (the one on
 * PATH unless given, e.g. the upstream one of test/oracle/upstream.ts).
 * `input` is a full kernel BTF: raw, ELF with `.BTF`, or a BTFHub `.btf.tar.xz` (extracted
 * first). Resolves to `{ ok: true, bytes }` on success, `{ ok: false, message }` (stderr
 * and exit status) when bpftool fails; never rejects because of bpftool's verdict.
 */
export async function bpftoolMinCoreBtf(
  input: string,
  objects: readonly string[],
  bpftool = 'bpftool',
): Promise<BpftoolResult> {
  const dir = oracleTempDir('btf-bundle-bpftool-');
  const output = join(dir, 'min.btf');
  try {
    await execFileAsync(bpftool, ['gen', 'min_core_btf', rawBtfPath(input), output, ...objects], {
      maxBuffer: 64 << 20,
      timeout: 300_000,
    });
    return { ok: true, bytes: new Uint8Array(await readFile(output)) };
  } catch (err) {
    const e = err as { stderr?: string; code?: number | string; message: string };
    const stderr = e.stderr?.trim();
    return { ok: false, message: `${stderr || e.message} (exit ${String(e.code ?? '?')})` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs {@link bpftoolMinCoreBtf} where bpftool must succeed: resolves to the reduced raw BTF, rejects with bpftool's complaint. */
export async function bpftoolMinCoreBtfOk(input: string, objects: readonly string[]): Promise<Uint8Array> {
  const r = await bpftoolMinCoreBtf(input, objects);
  if (!r.ok) throw new Error(r.message);
  return r.bytes;
}
