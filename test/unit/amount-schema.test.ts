import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { amountSchema, decimalsRule, MAX_AMOUNT } from '../../functions/http/amount-schema.ts';
import { parseBody } from '../../functions/http/index.ts';
import { isProblemError } from '../../functions/http/problems.ts';

const body = z.strictObject({ amount: amountSchema });

/** The field problems of a body, or [] when it is valid. */
const problemsOf = (amount: unknown) => {
  try {
    parseBody(body, { amount });
    return [];
  } catch (error) {
    if (isProblemError(error)) return error.errors ?? [];
    throw error;
  }
};

describe('amountSchema', () => {
  it.each([0.01, 10, 10.5, 12.34, MAX_AMOUNT])('accepts %s', (amount) => {
    expect(problemsOf(amount)).toEqual([]);
  });

  it.each([
    [1e308, `must be at most ${MAX_AMOUNT}`],
    [MAX_AMOUNT + 0.001, `must be at most ${MAX_AMOUNT}`],
    [-0.001, 'must be a positive number'],
    [0, 'must be a positive number'],
    [10.001, 'must have at most 2 decimals'],
    [1e-7, 'must have at most 2 decimals'],
  ])('gives %s one message: %s', (amount, message) => {
    expect(problemsOf(amount)).toEqual([{ field: 'amount', message }]);
  });
});

describe('decimalsRule', () => {
  it('says "whole amount" for currencies without decimals', () => {
    expect(decimalsRule(0)).toBe('must be a whole amount');
    expect(decimalsRule(0, 'CLP')).toBe('must be a whole amount in CLP');
  });

  it('counts decimals otherwise', () => {
    expect(decimalsRule(2)).toBe('must have at most 2 decimals');
    expect(decimalsRule(2, 'BRL')).toBe('must have at most 2 decimals in BRL');
    expect(decimalsRule(1)).toBe('must have at most 1 decimal');
  });
});
