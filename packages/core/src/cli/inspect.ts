import { decodeBundle } from '@btf-bundle/runtime';
import { annotateError, escapeControls, UsageError } from '../errors.js';
import { checkOutputs, GuardedInputs } from '../output-guard.js';
import { writeOutputFile } from '../util/atomic-write.js';
import { formatBytes } from '../util/bytes.js';
import { outputKind } from '../util/standard-output.js';
import { ArgumentError, parseCommandLine } from './args.js';
import { readInputFile } from './files.js';

const HELP = `usage: btf-bundle inspect BUNDLE [--json] [--extract KERNEL_ID --out FILE]

List a bundle's kernels (with the size of their BTF and the blob they share), failed kernels, objects and sizes.

  --extract KERNEL_ID   write the BTF of this kernel (distro/version/arch/release) ...
  --out FILE            ... to this file (- or /dev/stdout: standard output, not a terminal)
  --json                print the listing as JSON
  -h, --help            this help`;

/** `btf-bundle inspect`: list a bundle's contents, or extract one kernel's BTF. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      extract: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: true },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new ArgumentError(`inspect needs exactly one BUNDLE, got ${positionals.length}`);
  if ((values.extract === undefined) !== (values.out === undefined)) {
    throw new ArgumentError('--extract and --out go together');
  }
  if (values.out !== undefined) {
    checkOutputs(
      [{ role: '--out', path: values.out, binary: true }],
      new GuardedInputs([{ role: 'BUNDLE', path: file }]),
    );
  }
  const bytes = readInputFile(file);
  let bundle: ReturnType<typeof decodeBundle>;
  try {
    bundle = decodeBundle(bytes);
  } catch (err) {
    throw annotateError(err, { file });
  }
  if (values.extract !== undefined && values.out !== undefined) {
    const btf = bundle.get(values.extract);
    if (!btf) {
      const why = bundle.failed.get(values.extract);
      throw new UsageError(
        `${file}: no BTF for kernel '${values.extract}'${why ? ` (failed at build time: ${why})` : ''}`,
      );
    }
    await writeOutputFile(values.out, btf);
    // Not into the BTF when that went to standard output.
    const say = outputKind(values.out) === 'stdout' ? console.error : console.log;
    say(`wrote ${values.out} (${formatBytes(btf.length)})`);
    return 0;
  }
  const blobIds = new Map<Uint8Array, number>();
  const kernels = bundle.kernels.map((id) => {
    const btf = bundle.get(id) as Uint8Array;
    if (!blobIds.has(btf)) blobIds.set(btf, blobIds.size);
    return { id, blob: blobIds.get(btf) as number, bytes: btf.length };
  });
  if (values.json) {
    const failed = Object.fromEntries(bundle.failed);
    console.log(
      JSON.stringify(
        { kernels, failed, objects: bundle.objects, meta: bundle.meta, stats: bundle.stats },
        null,
        2,
      ),
    );
    return 0;
  }
  const width = Math.max(
    6,
    ...kernels.map((k) => k.id.length),
    ...[...bundle.failed.keys()].map((id) => id.length),
  );
  console.log(`${'kernel'.padEnd(width)}  blob  size`);
  for (const k of kernels)
    console.log(`${k.id.padEnd(width)}  #${String(k.blob).padEnd(4)} ${formatBytes(k.bytes)}`);
  for (const [id, reason] of bundle.failed)
    console.log(escapeControls(`${id.padEnd(width)}  failed: ${reason}`));
  const s = bundle.stats;
  console.log(
    `\n${s.kernels} kernels (${s.failed} failed), ${s.blobs} distinct blobs, ${formatBytes(s.blobBytes)} of BTF ` +
      `(${formatBytes(s.kernelBytes)} without dedup), bundle ${formatBytes(s.bundleBytes)}`,
  );
  for (const o of bundle.objects) console.log(escapeControls(`object ${o.name} sha256 ${o.sha256}`));
  return 0;
}
