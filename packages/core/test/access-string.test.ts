/**
 * A relocation's access string (`0:1:2`) is read as libbpf's `sscanf("%d%n")` loop reads it: each entry optional
 * white space (C's `isspace`: tab, newline, vertical tab, form feed, carriage return, space; not 0xA0), an optional
 * sign and digits, entries split by one `:`. The scanner is checked against a regular-expression reader of the
 * same rules (the reference below), over chosen strings and random ones, for the same entries or the same error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CoreRelocationError } from '../src/errors.js';
import { MAX_SPEC_LEN, parseAccessString } from '../src/relo/spec.js';

/** The entries, or the error's code and message. */
function outcome(result: number[] | CoreRelocationError): unknown {
  return result instanceof CoreRelocationError ? { code: result.code, message: result.message } : result;
}

/** The reference: a regular-expression reader of libbpf's rules, its errors made the same way. */
function reference(access: string): number[] | CoreRelocationError {
  const fail = (detail: string, code: 'EINVAL' | 'E2BIG' = 'EINVAL') =>
    new CoreRelocationError(detail, {}, { code });
  if (access === '' || access.startsWith(':')) return fail(`invalid access string '${access}'`);
  const raw: number[] = [];
  let pos = 0;
  while (pos < access.length) {
    if (access[pos] === ':') pos++;
    const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(access.slice(pos));
    if (!m) return fail(`invalid access string '${access}'`);
    const value = Number(m[1]);
    if (value < 0 || value > 0x7fffffff) return fail(`invalid access index ${m[1]} in '${access}'`);
    if (raw.length === MAX_SPEC_LEN) return fail(`access string '${access}' is too deep`, 'E2BIG');
    raw.push(value);
    pos += (m[0] as string).length;
  }
  return raw;
}

describe('access strings', () => {
  it('are read entry by entry, with the errors libbpf fails with', () => {
    expect(parseAccessString('0:1:2')).toEqual([0, 1, 2]);
    expect(parseAccessString('0: +1:\t2 3')).toEqual([0, 1, 2, 3]);
    expect(outcome(parseAccessString('0::1'))).toMatchObject({ code: 'EINVAL' });
    // a no-break space is no blank to libbpf's sscanf (C locale)
    expect(outcome(parseAccessString('0:\u00a01'))).toMatchObject({ code: 'EINVAL' });
    expect(outcome(parseAccessString('0:2147483648'))).toMatchObject({
      message: expect.stringContaining("invalid access index 2147483648 in '0:2147483648'"),
    });
    expect(outcome(parseAccessString('0:-1'))).toMatchObject({
      message: expect.stringContaining('invalid access index -1'),
    });
    const deep = Array.from({ length: MAX_SPEC_LEN + 1 }, () => '0').join(':');
    expect(outcome(parseAccessString(deep))).toMatchObject({ code: 'E2BIG' });
  });

  const chosen = [
    '',
    ':',
    '0',
    '0:',
    ':0',
    '-0',
    '+7',
    ' 1',
    '\u00a01',
    '1 ',
    '0x1',
    '1:a',
    '00:09',
    '2147483647',
  ];
  it.each(chosen)('%j reads as the reference reads it', (access) => {
    expect(outcome(parseAccessString(access))).toEqual(outcome(reference(access)));
  });

  it('read any string of digits, separators, signs and spaces as the reference reads it', () => {
    const char = fc.constantFrom(...'0123456789:::+- \t\n\u00a0\u0085x');
    const access = fc.oneof(
      fc.array(char, { maxLength: 24 }).map((cs) => cs.join('')),
      fc
        .array(fc.nat({ max: 3_000_000_000 }), { minLength: 1, maxLength: MAX_SPEC_LEN + 2 })
        .map((ns) => ns.join(':')),
    );
    fc.assert(
      fc.property(access, (a) => {
        expect(outcome(parseAccessString(a))).toEqual(outcome(reference(a)));
      }),
      { seed: 20261202, numRuns: 5000 },
    );
  });
});
