/**
 * What every example app does: print which BTF it would hand to libbpf (`btf_custom_path`) for the running
 * kernel and for sample kernel ids, and how each matched.
 */

/**
 * Sample kernels: one in the bundle, one missing between two releases with the same BTF (a `bracketed` match),
 * one from another arch.
 */
const SAMPLES = [
  { distro: 'debian', version: '12', arch: 'x86_64', release: '6.1.0-54-amd64' },
  { distro: 'debian', version: '12.8', arch: 'amd64', release: '6.1.0-52-amd64' },
  { distro: 'debian', version: '12', arch: 'aarch64', release: '6.1.0-50-arm64' },
];

const describeMatch = (match) => `${match.kind} match of ${match.id}`;

/**
 * Prints the report. `btf` is the `virtual:btf-bundle` module, `objectPath` the path of the `.bpf.o` the app
 * would load with libbpf.
 */
export async function report(btf, objectPath) {
  const { stats } = btf;
  console.log(`bundle: ${stats.kernels} kernels, ${stats.blobs} distinct BTFs, ${stats.bundleBytes} bytes`);
  for (const object of btf.objects)
    console.log(`  built for ${object.name} (sha256 ${object.sha256.slice(0, 12)}…)`);
  console.log(`object to load: ${objectPath}`);

  try {
    const resolved = await btf.resolveBtf();
    if (resolved.source === 'kernel') {
      console.log(`this kernel has its own BTF (${resolved.path}): load without btf_custom_path`);
    } else {
      const how = resolved.source === 'bundle' ? describeMatch(resolved.match) : 'override';
      const path = resolved.path ?? (await btf.writeBtfFile(resolved));
      console.log(`this kernel: btf_custom_path=${path} (${how}, ${resolved.bytes.length} bytes)`);
    }
  } catch (err) {
    console.log(`this kernel: no BTF (${err.message})`);
  }

  for (const kernel of SAMPLES) {
    const id = `${kernel.distro}/${kernel.version}/${kernel.arch}/${kernel.release}`;
    const found = await btf.findBtf(kernel);
    if (!found) {
      console.log(`${id}: not in the bundle`);
      continue;
    }
    const path = await btf.writeBtfFile(found);
    console.log(
      `${id}: btf_custom_path=${path} (${describeMatch(found.match)}, ${found.bytes.length} bytes)`,
    );
  }
}
