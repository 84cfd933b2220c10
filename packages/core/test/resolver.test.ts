import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Btf } from '../src/btf/btf.js';
import type { CoreRelo } from '../src/btf/ext.js';
import { type ObjectBtf, parseBpfObject } from '../src/object.js';
import { CoreResolver, type UnprunedOutcome } from '../src/relo/resolver.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { fixture, referenceKernel, repoRoot, targetBtf, testdata } from './btf-helpers.js';

/** What a reused outcome must share with a resolved one: all but `matches`. */
const exactPart = (o: UnprunedOutcome) => ({
  relo: o.relo.index,
  error: o.error?.message,
  result: o.result,
  widthPoison: o.widthPoison,
  target: o.targetSpec && [o.targetSpec.rootId, o.targetSpec.raw, o.targetSpec.bitOffset],
  local: o.localSpec && [o.localSpec.rootId, o.localSpec.raw, o.localSpec.bitOffset],
  unpruned: o.unprunedMatches.map((s) => [s.rootId, s.raw, s.bitOffset]),
});

const values = (name: string, t: string) =>
  new CoreResolver(targetBtf(t))
    .resolveObject(fixture(name))
    .map((o) => (o.error ? `error ${o.error.code}` : o.result?.poison ? 'poison' : o.result?.newValue));

describe('CoreResolver', () => {
  it('flavors: local ___suffix stripped, four underscores not a flavor, member names exact', () => {
    expect(values('flavors.bpf.o', 'flavors.o')).toEqual([4n, 8n, 4n, 4n, 4n, 8n, 5n, 1n, 0n, 1n]);
  });

  it('enums: 32-bit negative values sign-extend, ENUM64 unsigned and signed, missing enumerator', () => {
    expect(values('enums.bpf.o', 'enums.o').slice(0, 7)).toEqual([
      2n,
      18446744073709551611n,
      0n,
      'poison',
      20n,
      4886718345n,
      18446744069414584320n,
    ]);
  });

  it('bitfields: byte offset, size and shifts of a kind_flag bitfield', () => {
    expect(values('bitfields.bpf.o', 'bitfields.o').slice(0, 5)).toEqual([0n, 4n, 57n, 0n, 59n]);
  });

  it("bitfield shifts of a field grown past 64 bits wrap in 32 bits, as libbpf's unsigned arithmetic does", async () => {
    const oracleData = join(repoRoot, 'test/oracle/testdata');
    const target = Btf.parse(await readKernelBtf(join(oracleData, 'ldst-target.bpf.o')));
    const object = parseBpfObject(
      new Uint8Array(readFileSync(join(oracleData, 'shift-wrap.bpf.o'))),
      'shift-wrap.bpf.o',
    );
    const outcomes = new CoreResolver(target).resolveObject(object);
    expect(outcomes.map((o) => [o.result?.origValue, o.result?.newValue])).toEqual([
      [0n, 2n ** 32n - 64n],
      [0n, 2n ** 32n - 64n],
    ]);
  });

  it('the candidate cache is pruned by earlier relocations (file order) but not across fresh caches', () => {
    const resolver = new CoreResolver(targetBtf('candidates.o'));
    const obj = fixture('bug6_first_candidate.bpf.o');
    const [a, b] = obj.ext.coreRelos;
    const cache = new Map<number, number[]>();
    const ra = resolver.resolve(obj, a!, cache);
    expect(ra.matches.length).toBe(2); // part___a and part___b both match part.a
    expect(cache.get(a!.typeId)).toHaveLength(2);
    const rb = resolver.resolve(obj, b!, cache);
    expect(rb.result?.newValue).toBe(4n);
    expect(cache.get(b!.typeId)).toHaveLength(1); // pruned to part___b
    expect(resolver.resolve(obj, a!, new Map()).result?.newValue).toBe(0n);
  });

  it('filter resolves only the chosen section (autoload off for the others); unpruned lists every match', () => {
    const resolver = new CoreResolver(targetBtf('candidates.o'));
    const obj = fixture('bug6_first_candidate.bpf.o');
    const only = resolver.resolveObject(obj, { filter: (r) => r.section === 'raw_tp/sys_exit' });
    expect(only.map((o) => o.relo.section)).toEqual(['raw_tp/sys_exit']);
    const unpruned = resolver.resolveObject(obj, { unpruned: true });
    expect(unpruned.map((o) => o.unprunedMatches.length)).toEqual([2, 1]);
  });

  it('reuseDuplicates: a repeated relocation takes the earlier outcome while the earlier winner is still first', () => {
    const resolver = new CoreResolver(targetBtf('candidates.o'));
    const obj = fixture('bug6_first_candidate.bpf.o');
    const [a, b] = obj.ext.coreRelos as [CoreRelo, CoreRelo];
    // a (part.a) matches part___a and part___b, b prunes the list to part___b, then a comes again.
    const again = { ...a, index: 2, indexInGroup: a.indexInGroup + 2 };
    const repeated: ObjectBtf = { ...obj, ext: { ...obj.ext, coreRelos: [a, b, again] } };
    const resolved = resolver.resolveObject(repeated, { unpruned: true });
    const reused = resolver.resolveObject(repeated, { unpruned: true, reuseDuplicates: true });
    expect(reused.map(exactPart)).toEqual(resolved.map(exactPart));
    expect(reused[2]?.relo).toBe(again);
    // a's winner, part___a, is no longer first: the third one is resolved again and won by part___b, as in libbpf.
    expect(reused[2]?.targetSpec?.rootId).toBe(reused[1]?.targetSpec?.rootId);
    expect(reused[2]?.targetSpec?.rootId).not.toBe(reused[0]?.targetSpec?.rootId);
    // Right after a, nothing pruned: the repeat takes a's outcome, not resolved again.
    const twice: ObjectBtf = { ...obj, ext: { ...obj.ext, coreRelos: [a, again] } };
    const [first, second] = resolver.resolveObject(twice, { unpruned: true, reuseDuplicates: true });
    expect(second?.relo).toBe(again);
    expect(second?.result).toBe(first?.result);
  });

  it('reuseDuplicates changes no error, value or unpruned match over the agent corpus on a real kernel', async () => {
    const kernel = Btf.parse(await readKernelBtf(referenceKernel));
    const dir = join(testdata, 'agent');
    const objects = readdirSync(dir)
      .filter((f) => f.endsWith('.o'))
      .map((f) => fixture(join('agent', f)));
    let withRepeats = 0;
    for (const object of objects) {
      const resolved = new CoreResolver(kernel).resolveObject(object, { unpruned: true });
      const reused = new CoreResolver(kernel).resolveObject(object, {
        unpruned: true,
        reuseDuplicates: true,
      });
      expect(reused.map(exactPart), object.file).toEqual(resolved.map(exactPart));
      const keys = new Set(object.ext.coreRelos.map((r) => `${r.typeId}:${r.kind}:${r.accessStr}`));
      if (keys.size < object.ext.coreRelos.length) withRepeats++;
    }
    expect(withRepeats).toBeGreaterThan(10); // objects with repeated relocations: the case is exercised
  });

  it('errors carry file, section, relocation index and code; TYPE_ID_LOCAL never looks at the target', () => {
    const [o] = new CoreResolver(targetBtf('candidates.o')).resolveObject(
      fixture('err_type_id_ambiguity.bpf.o'),
    );
    expect(o?.error?.place).toMatchObject({ section: 'raw_tp/sys_enter', relocation: 0 });
    expect(o?.error?.message).toMatch(/err_type_id_ambiguity\.bpf\.o/);
    const local = new CoreResolver(targetBtf('objects.o')).resolveObject(fixture('type_id_local_only.bpf.o'));
    expect(
      local.every((x) => x.result && !x.result.poison && x.result.newValue === BigInt(x.relo.typeId)),
    ).toBe(true);
  });
});
