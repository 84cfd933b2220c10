/** Tests of the oracle availability checks (run everywhere; they do not need the oracles). */
import { afterEach, describe, expect, it } from 'vitest';
import { bpftoolMissing, oracleSkipReason } from './availability.js';

describe('oracle availability', () => {
  const saved = { CI: process.env.CI, PATH: process.env.PATH };
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('names the missing tool', () => {
    process.env.PATH = '/nonexistent';
    expect(bpftoolMissing()).toMatch(/^bpftool not found/);
  });

  it('skips with the joined reasons outside CI, runs when nothing is missing', () => {
    delete process.env.CI;
    expect(oracleSkipReason(undefined, undefined)).toBeUndefined();
    expect(oracleSkipReason('bpftool not found', undefined, 'gcc not found')).toBe(
      'bpftool not found; gcc not found',
    );
  });

  it('throws instead of skipping under CI', () => {
    process.env.CI = 'true';
    expect(() => oracleSkipReason('bpftool not found')).toThrow(/cannot run in CI: bpftool not found/);
    expect(oracleSkipReason(undefined)).toBeUndefined();
  });
});
