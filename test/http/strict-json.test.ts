import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_TEXT_PROBLEMS, strictJsonProblems } from '../../functions/http/strict-json.ts';

const CONTROL = 'must not contain control characters';
const SURROGATE = 'must not contain unpaired surrogates';
const TWICE = 'is given more than once';

/** Whether a string breaks the rules, by a definition independent of the scanner's. */
const isBadString = (value: string): boolean =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for.
  /[\u0000-\u001f\u007f-\u009f]/.test(value) || !value.isWellFormed();

const hasBadString = (value: unknown): boolean => {
  if (typeof value === 'string') return isBadString(value);
  if (Array.isArray(value)) return value.some(hasBadString);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).some(([key, inner]) => isBadString(key) || hasBadString(inner));
  return false;
};

describe('strictJsonProblems', () => {
  it.each([
    '{}',
    '[]',
    '"text"',
    '10.5',
    'null',
    '{"amount":10.5,"reason":"troca de tamanho","externalReference":"ref-1"}',
    ' { "a" : [ 1 , { "b" : "c" } , [ ] , { } ] , "d" : true } ',
    '{"a":{"x":1},"b":{"x":2}}',
    '{"emoji":"\\ud83d\\ude00 and 😀","quote":"\\"","slash":"\\/","accents":"ñandú é"}',
  ])('finds nothing wrong in %s', (text) => {
    expect(strictJsonProblems(text)).toEqual([]);
  });

  it('names a key given twice, by the decoded key, at any depth', () => {
    expect(strictJsonProblems('{"amount":1,"amount":1000}')).toEqual([{ path: ['amount'], message: TWICE }]);
    expect(strictJsonProblems('{"amount":1,"\\u0061mount":1000}')).toEqual([
      { path: ['amount'], message: TWICE },
    ]);
    expect(
      strictJsonProblems('{"items":[{"title":"a"},{"title":"b","quantity":1,"title":"c","title":"d"}]}'),
    ).toEqual([{ path: ['items', 1, 'title'], message: TWICE }]);
    expect(strictJsonProblems('[[{"a":{"b":{"c":1,"c":2}}}]]')).toEqual([
      { path: [0, 0, 'a', 'b', 'c'], message: TWICE },
    ]);
  });

  it.each([
    ['an ANSI escape', '{"reason":"\\u001b[31mred"}'],
    ['a raw DEL', '{"reason":"a\u007fb"}'],
    ['a C1 control (CSI)', '{"reason":"a\u009bb"}'],
    ['a NUL', '{"reason":"a\\u0000b"}'],
    ['a newline', '{"reason":"line\\nline"}'],
    ['a tab', '{"reason":"a\\tb"}'],
  ])('refuses %s in a string', (_name, text) => {
    expect(strictJsonProblems(text)).toEqual([{ path: ['reason'], message: CONTROL }]);
  });

  it('refuses unpaired surrogates, escaped or not, and accepts pairs', () => {
    expect(strictJsonProblems('{"title":"\\ud800"}')).toEqual([{ path: ['title'], message: SURROGATE }]);
    expect(strictJsonProblems('{"title":"x\\udc00y"}')).toEqual([{ path: ['title'], message: SURROGATE }]);
    expect(strictJsonProblems('{"title":"\\ude00\\ud83d"}')).toEqual([
      { path: ['title'], message: SURROGATE },
    ]);
    expect(strictJsonProblems(`{"title":"${'\ud800'}"}`)).toEqual([{ path: ['title'], message: SURROGATE }]);
    expect(strictJsonProblems('{"title":"\\ud83d\\ude00"}')).toEqual([]);
  });

  it('refuses a bad field name without echoing it', () => {
    expect(strictJsonProblems('{"items":[{"\\u001b[2J":1}]}')).toEqual([
      { path: ['items', 0], message: 'must not have field names with control characters' },
    ]);
    expect(strictJsonProblems('{"\\ud800":{"x":"\\u0007"}}')).toEqual([
      { path: [], message: 'must not have field names with unpaired surrogates' },
      { path: ['(invalid field name)', 'x'], message: CONTROL },
    ]);
  });

  it('reads past whitespace after an empty container', () => {
    expect(strictJsonProblems('[\n  [],\n  {\n    "\\u0000": "",\n "a": 1, "a": 2 }\n]')).toEqual([
      { path: [1], message: 'must not have field names with control characters' },
      { path: [1, 'a'], message: TWICE },
    ]);
    expect(strictJsonProblems('{ "a" : { } , "b" : [ ] , "b" : "\\u0001" }')).toEqual([
      { path: ['b'], message: TWICE },
      { path: ['b'], message: CONTROL },
    ]);
  });

  it('checks strings at the top level and in arrays', () => {
    expect(strictJsonProblems('"\\u0000"')).toEqual([{ path: [], message: CONTROL }]);
    expect(strictJsonProblems('["ok","\\u0085",{"a":"\\u0001"}]')).toEqual([
      { path: [1], message: CONTROL },
      { path: [2, 'a'], message: CONTROL },
    ]);
  });

  it('lists problems in document order, at most a limit', () => {
    const keys = Array.from({ length: 100 }, (_, i) => `"k${i}":1,"k${i}":2`).join(',');
    const problems = strictJsonProblems(`{${keys}}`);
    expect(problems).toHaveLength(MAX_JSON_TEXT_PROBLEMS);
    expect(problems[0]).toEqual({ path: ['k0'], message: TWICE });
    expect(strictJsonProblems('{"a":1,"a":2,"a":3}')).toEqual([{ path: ['a'], message: TWICE }]);
  });

  it('scans nesting far deeper than the call stack allows', () => {
    const depth = 30_000;
    expect(strictJsonProblems(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`)).toEqual([
      { path: Array.from({ length: depth }, () => 0), message: CONTROL },
    ]);
  });

  it('agrees with an independent check on any JSON text JSON.stringify writes', () => {
    const text = fc.string({ unit: 'binary' });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node')),
        fc.dictionary(text, tie('node')),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.constantFrom(undefined, 2), (json, indent) => {
        const problems = strictJsonProblems(JSON.stringify(json, null, indent));
        expect(problems.length > 0).toBe(hasBadString(json));
        expect(problems.every((p) => p.message !== TWICE)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('finds every duplicated key JSON.parse would silently merge', () => {
    const key = fc.string({ minLength: 1, maxLength: 3, unit: 'grapheme-ascii' });
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer()), { maxLength: 8 }), (entries) => {
        const text = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
        const keys = entries.map(([k]) => k);
        const duplicated = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
        const found = strictJsonProblems(text).filter((p) => p.message === TWICE);
        expect(found.map((p) => p.path[0]).sort()).toEqual(duplicated.sort());
      }),
    );
  });
});
