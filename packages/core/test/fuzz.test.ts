/**
 * Property tests (fast-check, seeded, bounded): mutations (bit flips, truncations, splices, u32 overwrites at
 * record boundaries) of real objects and of a reduced kernel BTF never make the readers, the resolver or the
 * minimizer fail with anything but a placed BtfBundleError, and never take long. Mutated-but-parseable inputs
 * are pushed through the minimizer (as target) and the resolver (as object).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Btf } from '../src/btf/btf.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { type BpfObject, parseBpfObject } from '../src/object.js';
import { CoreResolver } from '../src/relo/resolver.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { type Mutation, mutate, typedOrOk } from './bad-input-helpers.js';
import { fixture, referenceKernel, targetBtf, testdata } from './btf-helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SLOW_MS = 2000;

function mutations(size: number, recordBoundaries: number[]): fc.Arbitrary<Mutation[]> {
  const at = fc.nat({ max: size * 2 });
  const boundary = fc.constantFrom(...recordBoundaries);
  const value = fc.oneof(
    fc.constantFrom(0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, size, size - 1),
    fc.nat(),
  );
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ op: fc.constant('truncate' as const), at }),
    fc.record({ op: fc.constant('splice' as const), from: at, to: at, len: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('u32' as const), at: fc.oneof(at, boundary), value }),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

function timed<T>(what: string, fn: () => T): T {
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  if (ms > SLOW_MS) throw new Error(`${what} took ${ms.toFixed(0)} ms`);
  return r;
}

/** Offsets of the 32-bit words at the start of each type record (and the header fields) of a raw LE BTF. */
function btfBoundaries(bytes: Uint8Array): number[] {
  const btf = Btf.parse(bytes);
  const out = [0, 4, 8, 12, 16, 20];
  for (let id = 1; id < btf.typeCount; id++) {
    const off = btf.recordOffset(id);
    out.push(off, off + 4, off + 8, off + 12);
  }
  return out;
}

let reducedKernel: Uint8Array;
let kernelObjects: BpfObject[];
let enumsTarget: Btf;

beforeAll(async () => {
  const kernel = Btf.parse(await readKernelBtf(referenceKernel));
  kernelObjects = ['opensnoop', 'tcpstates'].map((n) => fixture(`${n}.bpf.o`));
  reducedKernel = minimizeBtf(kernel, kernelObjects).btf;
  enumsTarget = targetBtf('enums.o');
});

describe('fuzz', () => {
  it(`mutated reduced kernel BTF (${RUNS} runs): parse, then minimize and resolve against it`, () => {
    fc.assert(
      fc.property(mutations(reducedKernel.length, btfBoundaries(reducedKernel)), (ms) => {
        const bytes = ms.reduce(mutate, reducedKernel);
        typedOrOk(() => timed('parse', () => Btf.parse(bytes, { file: 'mutated.btf' })), 'mutated.btf');
        // As the CLI and the batch lanes parse kernels: the per-type checks deferred to the types kept, so types
        // the full check refuses reach the resolver and the minimizer.
        let btf: Btf | undefined;
        typedOrOk(() => {
          btf = timed('parse deferred', () =>
            Btf.parse(bytes, { file: 'mutated.btf', typeChecks: 'deferred' }),
          );
        }, 'mutated.btf');
        if (!btf) return;
        const target = btf;
        typedOrOk(() => timed('minimize', () => minimizeBtf(target, kernelObjects)));
        typedOrOk(() =>
          timed('minimize bpftool', () => minimizeBtf(target, kernelObjects, { mode: 'bpftool' })),
        );
        typedOrOk(() => timed('resolve', () => new CoreResolver(target).resolveObject(kernelObjects[0]!)));
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0x5eed), numRuns: RUNS },
    );
  });

  it.each(['enums.bpf.o', 'bitfields.bpf.o', 'typematches.bpf.o', 'candidates.bpf.o'])(
    `mutated object %s (${RUNS} runs): parse, resolve and minimize`,
    (name) => {
      const original = new Uint8Array(readFileSync(join(testdata, name)));
      const obj = fixture(name);
      const btfSection = obj.elf.sections.find((s) => s.name === '.BTF')!;
      const extSection = obj.elf.sections.find((s) => s.name === '.BTF.ext')!;
      const boundaries = [
        ...btfBoundaries(obj.btf.bytes).map((o) => o + btfSection.offset),
        ...Array.from({ length: 16 }, (_, i) => extSection.offset + 4 * i),
        0x20,
        0x28,
        0x3c,
      ];
      const target = name === 'enums.bpf.o' ? enumsTarget : targetBtf(name.replace('.bpf.o', '.o'));
      fc.assert(
        fc.property(mutations(original.length, boundaries), (ms) => {
          const bytes = ms.reduce(mutate, original);
          let object: BpfObject | undefined;
          typedOrOk(() => {
            object = timed('parse object', () => parseBpfObject(bytes, 'mutated.o'));
          }, 'mutated.o');
          if (!object) return;
          const o = object;
          typedOrOk(() => timed('resolve', () => new CoreResolver(target).resolveObject(o)));
          typedOrOk(() => timed('minimize', () => minimizeBtf(target, [o])));
        }),
        { seed: Number(process.env.FUZZ_SEED ?? 0xb7f), numRuns: RUNS },
      );
    },
  );
});

it('fixtures load', () => {
  expect(enumsTarget.typeCount).toBeGreaterThan(1);
});
