import { Btf } from '../btf/btf.js';
import { reloKindName } from '../btf/format.js';
import { Elf } from '../elf/elf.js';
import { escapeControls } from '../errors.js';
import { type BpfObject, parseBpfObject } from '../object.js';
import { CoreResolver, type RelocationOutcome } from '../relo/resolver.js';
import { formatSpec } from '../relo/spec.js';
import { type RecordVerdict, relocationVerdicts, summarizeRelocations } from '../report/relocations.js';
import { formatCounts } from '../report/table.js';
import { readKernelBtf } from '../snapshot/input.js';
import { ArgumentError, parseCommandLine } from './args.js';
import { readInputFile } from './files.js';

const HELP = `usage: btf-bundle explain OBJECT... --btf FILE [--json]

Resolve every CO-RE relocation of the objects against a BTF (raw, ELF .BTF or BTFHub .btf.tar.xz) with libbpf's
semantics and print, per relocation: section, program, instruction, kind, local spec and the outcome (the value
the instruction gets, poisoned and whether an existence check guards it, the error libbpf would fail the load
with, or why libbpf skips the record), then per object the counts that btf-bundle build reports (docs/coverage-report.md).

  --btf FILE     target BTF (a full kernel BTF, or a reduced one to check)
  --json         one JSON object per relocation instead of text
  -h, --help     this help`;

/** One line of `explain` output. */
export interface ExplainedRelocation {
  object: string;
  index: number;
  section: string;
  program: string;
  insn: number;
  kind: string;
  local: string;
  /** The relocation's verdict (see {@link RecordVerdict}). */
  outcome: RecordVerdict;
  value?: string;
  target?: string;
  error?: string;
  /**
   * Why libbpf skips the record (outcome `skipped`), or poisons a load or store whose field changed size (outcome
   * `poisoned`, {@link RelocationOutcome.widthPoison}).
   */
  reason?: string;
}

/** Turn resolver outcomes into explain records (program-relative instruction index, like libbpf's log). */
export function explainObject(object: BpfObject, outcomes: RelocationOutcome[]): ExplainedRelocation[] {
  const verdicts = relocationVerdicts(outcomes);
  const sectionIndex = new Map(object.elf.sections.map((s) => [s.name, s.index]));
  const programs = object.elf.symbols().filter((s) => s.type === Elf.STT_FUNC);
  return outcomes.map((o, i) => {
    const secIdx = sectionIndex.get(o.relo.section);
    const prog = programs.find(
      (p) =>
        p.section === secIdx && p.value <= o.relo.insnOff && o.relo.insnOff < p.value + Math.max(p.size, 1),
    );
    const line: ExplainedRelocation = {
      object: object.file,
      index: o.relo.indexInGroup,
      section: o.relo.section,
      program: prog?.name ?? '?',
      insn: (o.relo.insnOff - (prog?.value ?? 0)) / 8,
      kind: reloKindName(o.relo.kind),
      local: o.localSpec ? formatSpec(o.localSpec) : `[${o.relo.typeId}] + ${o.relo.accessStr}`,
      outcome: verdicts[i]!,
    };
    if (o.relo.skipped !== undefined) line.reason = o.relo.skipped;
    else if (o.widthPoison !== undefined) line.reason = o.widthPoison;
    else if (o.error) line.error = `${o.error.code}: ${o.error.detail}`;
    else if (o.result && !o.result.poison) line.value = o.result.newValue.toString();
    if (o.targetSpec) line.target = formatSpec(o.targetSpec);
    return line;
  });
}

function outcomeText(l: ExplainedRelocation): string {
  switch (l.outcome) {
    case 'error':
      return `ERROR ${l.error}`;
    case 'relocated':
      return `= ${l.value}`;
    case 'skipped':
      return `skipped: ${l.reason} (libbpf does not apply it)`;
    default:
      return `poisoned (${l.outcome === 'guarded' ? 'guarded' : 'unguarded'})${l.reason ? `: ${l.reason}` : ''}`;
  }
}

function formatLine(l: ExplainedRelocation): string {
  const what = outcomeText(l);
  const target = l.target ? ` -> ${l.target}` : '';
  return `  ${l.section} prog '${l.program}' relo #${l.index} insn #${l.insn} <${l.kind}> ${l.local}${target}: ${what}`;
}

/** `btf-bundle explain`: per-relocation outcomes of objects against a BTF. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    { btf: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    { positionals: true },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.btf || positionals.length === 0) throw new ArgumentError('expected OBJECT... --btf FILE');
  const resolver = new CoreResolver(Btf.parse(await readKernelBtf(values.btf), { file: values.btf }));
  let errors = 0;
  for (const file of positionals) {
    const object = parseBpfObject(readInputFile(file), file);
    const outcomes = resolver.resolveObject(object);
    const lines = explainObject(object, outcomes);
    const summary = summarizeRelocations(file, outcomes);
    errors += summary.errors;
    if (values.json) for (const l of lines) console.log(JSON.stringify(l));
    else {
      // Names come from the object (its file name, sections, programs, BTF types): control characters escaped,
      // so that none forges a line or a colour; the JSON lines are escaped by JSON itself.
      const text = [`${file}: ${formatCounts(summary)}`, ...lines.map(formatLine)];
      console.log(text.map(escapeControls).join('\n'));
    }
  }
  return errors > 0 ? 1 : 0;
}
