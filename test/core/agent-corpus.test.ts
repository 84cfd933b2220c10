/**
 * The agent-size corpus is what its README says: manifest.json and README.md match the objects (counted with
 * our `.BTF.ext` reader), the floors hold (≥ 40 objects, ≥ 600 CO-RE relocations, ≥ 80 distinct kernel types),
 * every CO-RE feature an agent uses occurs, and the stripped set differs from the unstripped one only by DWARF.
 * `UPDATE_AGENT_MANIFEST=1` rewrites manifest.json and README.md (scripts/build-agent-corpus.sh does).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReloKind, readElf, reloKindName } from '../../packages/core/dist/index.js';
import {
  agentCorpusStats,
  agentDir,
  agentObjects,
  agentStrippedDir,
  committed,
  renderAgentManifest,
  renderAgentReadme,
} from './agent-corpus.js';

const stats = agentCorpusStats();

describe('agent corpus', () => {
  it('manifest.json and README.md match the objects', () => {
    const files = [
      [join(agentDir, 'manifest.json'), renderAgentManifest(stats)],
      [join(agentDir, 'README.md'), renderAgentReadme(stats)],
    ] as const;
    for (const [path, text] of files) {
      if (process.env.UPDATE_AGENT_MANIFEST === '1') writeFileSync(path, text);
      expect(committed(path), `${basename(path)} is stale: run scripts/build-agent-corpus.sh`).toBe(text);
    }
  });

  it('meets the size floors: ≥ 40 objects, ≥ 600 relocations, ≥ 80 distinct kernel types', () => {
    expect(stats.objects).toBeGreaterThanOrEqual(40);
    expect(stats.relocations).toBeGreaterThanOrEqual(600);
    expect(stats.distinctTypes).toBeGreaterThanOrEqual(80);
    for (const o of stats.perObject) expect(o.relocations, o.name).toBeGreaterThan(0);
  });

  it('uses the CO-RE features of real agents: guards, enums, bitfields, sizes, flavors, all program kinds', () => {
    // Every kind but the type ids (an agent has no use for them), by libbpf's short name.
    const ids: number[] = [ReloKind.TYPE_ID_LOCAL, ReloKind.TYPE_ID_TARGET];
    for (const kind of Object.values(ReloKind).filter((k) => !ids.includes(k))) {
      expect(stats.kinds[reloKindName(kind)], reloKindName(kind)).toBeGreaterThan(0);
    }
    expect(stats.flavors).toContain('task_struct___o');
    expect(stats.flavors.length).toBeGreaterThanOrEqual(10);
    for (const prefix of [
      'fentry',
      'fexit',
      'kprobe',
      'kretprobe',
      'raw_tp',
      'tp',
      'tp_btf',
      'tracepoint',
      'lsm',
    ]) {
      expect(stats.programKinds[prefix], prefix).toBeGreaterThan(0);
    }
  });

  it('stripped objects keep .BTF and .BTF.ext byte for byte and lose only the DWARF', () => {
    const names = agentObjects().map((p) => basename(p));
    expect(agentObjects(agentStrippedDir).map((p) => basename(p))).toEqual(names);
    for (const name of names) {
      const full = readElf(new Uint8Array(readFileSync(join(agentDir, name))), name);
      const stripped = readElf(new Uint8Array(readFileSync(join(agentStrippedDir, name))), name);
      for (const section of ['.BTF', '.BTF.ext']) {
        expect(
          Buffer.compare(full.sectionData(section)!, stripped.sectionData(section)!),
          `${name} ${section}`,
        ).toBe(0);
      }
      expect(full.section('.debug_info'), name).toBeDefined();
      expect(
        stripped.sections.filter((s) => s.name.startsWith('.debug_')).map((s) => s.name),
        name,
      ).toEqual([]);
    }
  });
});
