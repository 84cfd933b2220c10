// Synthetic CO-RE objects for scale benchmarks: N objects × M relocations picked from a kernel's own types.
// The kernel BTF is read with our reader; structs (unique names only, so the vmlinux.h bpftool dumps keeps them)
// and member paths (through anonymous members and up to three nested structs) are picked by a seeded generator,
// written as C (`__builtin_preserve_field_info` on the picked paths: byte offset, byte size and existence
// relocations, plus a few type existence/size ones), and compiled with clang-19 against that kernel's vmlinux.h.
// Objects are cached under `.cache/gen-objects/` (git-ignored; `cacheDir` to change) by kernel content and
// parameters, so a benchmark pays the compile once. Same inputs, same objects.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Btf } from '../../packages/core/src/btf/btf.js';
import { Kind } from '../../packages/core/src/btf/format.js';
import { readKernelBtf } from '../../packages/core/src/snapshot/input.js';
import { prng } from './drift.js';

const execFileAsync = promisify(execFile);

/** What {@link generateObjects} builds. */
export interface GenerateOptions {
  /** Kernel BTF whose types are picked: raw, ELF `.BTF` or BTFHub `.btf.tar.xz`. */
  kernel: string;
  /** Number of objects. */
  objects: number;
  /** CO-RE relocations per object. */
  relocations: number;
  /** Seed of the picks (default 1). */
  seed?: number;
  /** Keep DWARF (`clang -g` as is, like most Makefiles) or strip it (`llvm-strip -g`, like bpf2go). Default true. */
  dwarf?: boolean;
  /** Where objects are cached (default `.cache/gen-objects` under the working directory). */
  cacheDir?: string;
  /** Parallel compiles (default: available cores). */
  jobs?: number;
  /** Compiler and strip tool (default clang-19, llvm-strip-19). */
  clang?: string;
  strip?: string;
}

/** Bumped when the generated C changes, so cached objects are not reused across generator versions. */
const GENERATOR_VERSION = 1;
const MAX_DEPTH = 3;
const RELOS_PER_PROGRAM = 64;

const isComposite = (kind: number) => kind === Kind.STRUCT || kind === Kind.UNION;

/** C's tag namespace: struct, union and enum names (and forward declarations of them) may not collide. */
const TAGGED: ReadonlySet<number> = new Set([Kind.STRUCT, Kind.UNION, Kind.ENUM, Kind.ENUM64, Kind.FWD]);

/** Named structs and unions with members whose tag no other struct, union or enum carries. */
function uniqueComposites(btf: Btf): number[] {
  const byName = new Map<string, number[]>();
  for (let id = 1; id < btf.typeCount; id++) {
    if (!TAGGED.has(btf.kind(id))) continue;
    const name = btf.name(id);
    if (name === '') continue;
    const ids = byName.get(name) ?? [];
    ids.push(id);
    byName.set(name, ids);
  }
  return [...byName.values()]
    .filter((ids) => ids.length === 1)
    .map((ids) => ids[0] as number)
    .filter((id) => isComposite(btf.kind(id)) && btf.vlen(id) > 0);
}

/** A C member path from composite `id` (`a.b.c`, anonymous members left out as C spells them), or undefined. */
function pickPath(btf: Btf, id: number, random: () => number): string | undefined {
  const names: string[] = [];
  let current = id;
  for (let depth = 0; depth <= MAX_DEPTH + 2; depth++) {
    const i = Math.floor(random() * btf.vlen(current));
    const name = btf.memberName(current, i);
    const type = btf.skipModsAndTypedefs(btf.memberType(current, i));
    const nested = isComposite(btf.kind(type)) && btf.vlen(type) > 0;
    if (name !== '') names.push(name);
    if (name === '' && !nested) return undefined;
    const descend = name === '' || (nested && names.length < MAX_DEPTH && random() < 0.4);
    if (!descend) return names.length > 0 ? names.join('.') : undefined;
    current = type;
  }
  return undefined;
}

/** One relocation-producing C expression. */
interface Pick {
  key: string;
  expr: string;
}

/** `count` distinct relocations over `btf`'s types (the same for the same seed). */
function pickRelocations(btf: Btf, composites: number[], count: number, random: () => number): Pick[] {
  const picks = new Map<string, Pick>();
  for (let attempts = 0; picks.size < count && attempts < count * 50; attempts++) {
    const id = composites[Math.floor(random() * composites.length)] as number;
    const tag = btf.kind(id) === Kind.UNION ? 'union' : 'struct';
    const type = `${tag} ${btf.name(id)}`;
    const roll = random();
    if (roll < 0.05) {
      const kind = roll < 0.025 ? 8 : 9; // TYPE_EXISTS, TYPE_SIZE
      picks.set(`${type} ${kind}`, {
        key: `${type} ${kind}`,
        expr: `__builtin_preserve_type_info(*(${type} *)0, ${kind - 8})`,
      });
      continue;
    }
    const path = pickPath(btf, id, random);
    if (path === undefined) continue;
    const kind = roll < 0.7 ? 0 : roll < 0.85 ? 1 : 2; // FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS
    const key = `${type}.${path} ${kind}`;
    picks.set(key, { key, expr: `__builtin_preserve_field_info(((${type} *)0)->${path}, ${kind})` });
  }
  return [...picks.values()];
}

/** The C source of one object: its picks stored into a global array, 64 per kprobe program. */
function renderSource(picks: Pick[], index: number): string {
  const lines = [
    `// Generated by bench/lib/gen-objects.ts: object ${index}, ${picks.length} CO-RE relocations.`,
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    '',
    `__u64 out[${Math.max(picks.length, 1)}];`,
  ];
  for (let p = 0; p * RELOS_PER_PROGRAM < picks.length; p++) {
    lines.push('', `SEC("kprobe/gen_${index}_${p}")`, `int gen_${index}_${p}(void *ctx)`, '{');
    const chunk = picks.slice(p * RELOS_PER_PROGRAM, (p + 1) * RELOS_PER_PROGRAM);
    for (const [i, pick] of chunk.entries())
      lines.push(`\tout[${p * RELOS_PER_PROGRAM + i}] = ${pick.expr};`);
    lines.push('\treturn 0;', '}');
  }
  lines.push('', 'char LICENSE[] SEC("license") = "GPL";', '');
  return lines.join('\n');
}

async function inParallel<T>(items: T[], jobs: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/**
 * Generates (or reuses from the cache) `objects` objects of `relocations` CO-RE relocations each, picked from
 * the types of `kernel`, and resolves to their paths in name order. Needs clang-19, llvm-strip-19 (without
 * DWARF) and bpftool (to dump the kernel's vmlinux.h).
 */
export async function generateObjects(options: GenerateOptions): Promise<string[]> {
  const { objects, relocations, seed = 1, dwarf = true } = options;
  const clang = options.clang ?? 'clang-19';
  const strip = options.strip ?? 'llvm-strip-19';
  const raw = await readKernelBtf(options.kernel);
  const kernelHash = createHash('sha256').update(raw).digest('hex').slice(0, 16);
  const cacheDir = resolve(options.cacheDir ?? '.cache/gen-objects');
  const setName = `v${GENERATOR_VERSION}-${kernelHash}-n${objects}-m${relocations}-s${seed}-${dwarf ? 'dwarf' : 'stripped'}`;
  const dir = join(cacheDir, setName);
  const list = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.bpf.o'))
      .sort()
      .map((f) => join(dir, f));
  if (existsSync(dir)) return list();

  const work = `${dir}.${process.pid}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    writeFileSync(join(work, 'kernel.btf'), raw);
    const { stdout } = await execFileAsync(
      'bpftool',
      ['btf', 'dump', 'file', join(work, 'kernel.btf'), 'format', 'c'],
      {
        maxBuffer: 256 << 20,
      },
    );
    writeFileSync(join(work, 'vmlinux.h'), stdout);
    const btf = Btf.parse(raw, { file: options.kernel });
    const composites = uniqueComposites(btf);
    const random = prng(seed);
    const names = Array.from({ length: objects }, (_, i) => `gen_${String(i).padStart(4, '0')}`);
    for (const [i, name] of names.entries()) {
      const picks = pickRelocations(btf, composites, relocations, random);
      writeFileSync(join(work, `${name}.bpf.c`), renderSource(picks, i));
    }
    await inParallel(names, options.jobs ?? availableParallelism(), async (name) => {
      const object = join(work, `${name}.bpf.o`);
      const flags = ['-g', '-O2', '--target=bpf', '-fno-ident', `-fdebug-prefix-map=${work}=.`, `-I${work}`];
      await execFileAsync(clang, [...flags, '-c', join(work, `${name}.bpf.c`), '-o', object]);
      if (!dwarf) await execFileAsync(strip, ['-g', object]);
    });
    for (const f of ['kernel.btf', 'vmlinux.h']) rmSync(join(work, f));
    mkdirSync(cacheDir, { recursive: true });
    renameSync(work, dir);
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    if (existsSync(dir)) return list(); // another process finished the same set first
    throw new Error(`gen-objects ${setName}: ${(err as Error).message}`);
  }
  return list();
}
