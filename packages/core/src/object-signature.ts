import type { Btf } from './btf/btf.js';
import { KIND_LAYOUTS, wordRole } from './btf/format.js';
import type { ObjectBtf } from './object.js';
import type { InsnPatch } from './relo/patch.js';
import { sha256Hex } from './util/sha256.js';

/**
 * Canonical text of the local types reachable from `roots`: records in discovery order, type references
 * renumbered by that order and names inlined, so the text depends only on the types' shapes and names, not on
 * their ids or on unrelated types of the object.
 */
function canonicalTypes(btf: Btf, roots: number[]): { text: string; canon: Map<number, number> } {
  const canon = new Map<number, number>([[0, 0]]);
  const queue: number[] = [];
  const ref = (id: number): number => {
    let n = canon.get(id);
    if (n === undefined) {
      n = canon.size;
      canon.set(id, n);
      queue.push(id);
    }
    return n;
  };
  for (const root of roots) ref(root);
  const lines: string[] = [];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as number;
    const words = btf.recordWords(id);
    const layout = KIND_LAYOUTS[btf.kind(id)];
    if (!layout) {
      lines.push(`?${Array.from(words).join(',')}`);
      continue;
    }
    const tokens = Array.from(words, (word, w) => {
      const role = wordRole(layout, w);
      if (role === 's') return JSON.stringify(btf.string(word));
      if (role === 't') return `#${ref(word)}`;
      return String(word);
    });
    lines.push(tokens.join(','));
  }
  return { text: lines.join('\n'), canon };
}

/** What the signature keeps of a record's instruction: its kind and the value it holds, or that it cannot be patched. */
function insnSignature(insn: InsnPatch | undefined): string {
  if (!insn) return '';
  return insn.kind === 'unpatchable' ? ' unpatchable' : ` ${insn.kind}=${insn.value}`;
}

/**
 * The relocation signature of a BPF object: a hex sha256 over what the minimizer reads from it — each CO-RE
 * relocation's section, kind and access string with its root local type (and whether libbpf skips it), plus the
 * canonical shapes of all local types those roots reach, and the object BTF's byte order and pointer size.
 * Instruction offsets and bytes (beyond whether a record is skipped, and the kind and value of its instruction), and
 * types no relocation reaches, do not take part, so recompiling code whose relocations did not change keeps it.
 */
export function relocationSignature(object: ObjectBtf): string {
  const relos = object.ext.coreRelos;
  const { text, canon } = canonicalTypes(
    object.btf,
    relos.map((r) => r.typeId),
  );
  const header = `btf-bundle relocation signature 1\n${object.btf.littleEndian ? 'le' : 'be'} ${object.btf.pointerSize()}\n`;
  // A record libbpf skips is marked (it changes the counts, and robust mode keeps no type for it), and so is what
  // its instruction holds (libbpf fails to patch an instruction that does not hold the object's own value).
  const lines = relos.map(
    (r) =>
      `${JSON.stringify(r.section)} ${r.kind} ${r.accessStr} #${canon.get(r.typeId)}${r.skipped === undefined ? '' : ' skipped'}${insnSignature(r.insn)}\n`,
  );
  return sha256Hex([header, ...lines, text]);
}
