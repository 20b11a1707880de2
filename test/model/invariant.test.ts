import { describe, expect, it } from 'vitest';
import { InvariantError, must } from '../../functions/model/invariant.ts';

describe('must', () => {
  it('answers the value when it is there (0, "" and false are values)', () => {
    expect(must(0, 'zero')).toBe(0);
    expect(must('', 'empty')).toBe('');
    expect(must(false, 'false')).toBe(false);
  });

  it('throws an InvariantError naming the broken expectation when it is not', () => {
    expect(() => must(undefined, 'the refund is ours')).toThrow(InvariantError);
    expect(() => must(null, 'the refund is ours')).toThrow('Invariant broken: the refund is ours');
  });
});
