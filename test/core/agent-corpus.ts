/**
 * The agent-size corpus (`packages/core/testdata/agent/`, built by scripts/build-agent-corpus.sh): where its
 * objects are, and its figures (objects, CO-RE relocations, distinct kernel types, sizes) counted with our own
 * `.BTF.ext` reader. `agent/manifest.json` and `agent/README.md` are rendered from these figures by
 * agent-corpus.test.ts (`UPDATE_AGENT_MANIFEST=1` rewrites them), never typed by hand.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { kindName, reloKindName } from '../../packages/core/dist/index.js';
import { essentialName } from '../../packages/core/dist/internal.js';
import { filesUnder } from '../oracle/btf-files.js';
import { loadObject, snapshotKernels, testdata } from './corpus.js';

/** Unstripped objects (DWARF left in). */
export const agentDir = join(testdata, 'agent');
/** The same objects after `llvm-strip -g`. */
export const agentStrippedDir = join(testdata, 'agent-stripped');

/** Objects also checked alone: one per area, with flavors, bitfields, enums and TYPE_MATCHES among them. */
export const AGENT_SINGLES = [
  'proc_exec',
  'tcp_connect',
  'block_snoop',
  'mm_rss',
  'sock_bind',
  'syscall_count',
].map((n) => join(agentDir, `${n}.bpf.o`));

/** Every object of a corpus directory, sorted. */
export function agentObjects(dir = agentDir): string[] {
  return filesUnder(dir, '.bpf.o');
}

/**
 * The x86_64 kernels the corpus is checked against (it is built against an x86_64 vmlinux.h): the sample
 * snapshot's, or those of the BTFHub-layout tree named by `BTF_BUNDLE_ORACLE_KERNELS` (e.g. the benchmark kernels
 * of `scripts/fetch-kernel-btfs.sh --bench`), for a wider sweep by hand.
 */
export function agentKernels(): string[] {
  const tree = process.env.BTF_BUNDLE_ORACLE_KERNELS;
  const kernels = (tree ? filesUnder(tree, '.btf.tar.xz') : snapshotKernels()).filter((k) =>
    k.includes('/x86_64/'),
  );
  if (kernels.length === 0)
    throw new Error(`no x86_64 .btf.tar.xz kernels under ${tree ?? 'sample-snapshot'}`);
  return kernels;
}

/** Figures of one object. */
export interface AgentObjectStats {
  name: string;
  relocations: number;
  /** Distinct local root types of its relocations (`STRUCT task_struct`, flavor suffix dropped). */
  types: number;
  bytes: number;
  strippedBytes: number;
}

/** Figures of the whole corpus. */
export interface AgentCorpusStats {
  objects: number;
  relocations: number;
  /** Distinct kernel types over all objects: relocation root types by kind and essential name. */
  distinctTypes: number;
  /** Local root type names that carry a `___flavor` suffix. */
  flavors: string[];
  /** Relocations per kind name, in kind order. */
  kinds: Record<string, number>;
  /** ELF program sections by attach prefix (`kprobe`, `tp_btf`, ...). */
  programKinds: Record<string, number>;
  bytes: number;
  strippedBytes: number;
  perObject: AgentObjectStats[];
}

function rootTypeName(path: string, typeId: number): { key: string; name: string } {
  const btf = loadObject(path).btf;
  const name = btf.name(typeId);
  return { key: `${kindName(btf.kind(typeId))} ${essentialName(name)}`, name };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Counts the corpus with our `.BTF.ext` reader. */
export function agentCorpusStats(): AgentCorpusStats {
  const all = new Set<string>();
  const flavors = new Set<string>();
  const kindCounts = new Map<number, number>();
  const programKinds: Record<string, number> = {};
  const perObject = agentObjects().map((path): AgentObjectStats => {
    const object = loadObject(path);
    const types = new Set<string>();
    for (const relo of object.ext.coreRelos) {
      const { key, name } = rootTypeName(path, relo.typeId);
      types.add(key);
      all.add(key);
      if (name !== essentialName(name)) flavors.add(name);
      kindCounts.set(relo.kind, (kindCounts.get(relo.kind) ?? 0) + 1);
    }
    for (const section of new Set(object.ext.coreRelos.map((r) => r.section))) {
      increment(programKinds, section.split('/')[0] ?? section);
    }
    const name = basename(path);
    return {
      name,
      relocations: object.ext.coreRelos.length,
      types: types.size,
      bytes: statSync(path).size,
      strippedBytes: statSync(join(agentStrippedDir, name)).size,
    };
  });
  const kinds: Record<string, number> = {};
  for (const [kind, n] of [...kindCounts].sort((a, b) => a[0] - b[0])) kinds[reloKindName(kind)] = n;
  const sum = (f: (o: AgentObjectStats) => number) => perObject.reduce((s, o) => s + f(o), 0);
  return {
    objects: perObject.length,
    relocations: sum((o) => o.relocations),
    distinctTypes: all.size,
    flavors: [...flavors].sort(),
    kinds,
    programKinds: Object.fromEntries(Object.entries(programKinds).sort()),
    bytes: sum((o) => o.bytes),
    strippedBytes: sum((o) => o.strippedBytes),
    perObject,
  };
}

/** The figures as the committed `agent/manifest.json` holds them. */
export function renderAgentManifest(stats: AgentCorpusStats): string {
  return `${JSON.stringify(stats, null, 2)}\n`;
}

const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

/** The committed `agent/README.md`: what the corpus is and its figures. */
export function renderAgentReadme(stats: AgentCorpusStats): string {
  const rows = stats.perObject.map(
    (o) => `| ${o.name} | ${o.relocations} | ${o.types} | ${kib(o.bytes)} | ${kib(o.strippedBytes)} |`,
  );
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    '# Agent-size corpus',
    '',
    'Agent-style CO-RE objects written for this project (process, file, block, network, scheduler, memory,',
    'cgroup, signal, mount, BPF and module tracing; sources in `../src/agent/`), built by',
    '`scripts/build-agent-corpus.sh` with `clang-19 -g -O2 --target=bpf` against the vmlinux.h of the sample',
    "snapshot's x86_64 6.1.0-54-amd64 kernel. This directory holds them unstripped (DWARF left in, as most",
    "Makefiles ship them); `../agent-stripped/` holds the same objects after `llvm-strip -g` (bpf2go's way).",
    '',
    'Generated by `test/core/agent-corpus.test.ts` (`UPDATE_AGENT_MANIFEST=1`) from our `.BTF.ext` reader; the',
    'test fails when this file or `manifest.json` no longer matches the objects.',
    '',
    `- objects: ${stats.objects}`,
    `- CO-RE relocations: ${stats.relocations} (${list(stats.kinds)})`,
    `- distinct kernel types (relocation root types, flavor suffix dropped): ${stats.distinctTypes}`,
    `- flavors: ${stats.flavors.join(', ')}`,
    `- program sections with relocations: ${list(stats.programKinds)}`,
    `- size: ${kib(stats.bytes)} unstripped, ${kib(stats.strippedBytes)} stripped`,
    '',
    '| object | relocations | root types | unstripped | stripped |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** The committed rendering at `path`, or '' when absent. */
export function committed(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
