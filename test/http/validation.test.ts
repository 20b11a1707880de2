import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  parseBody,
  parseWith,
  readExternalPosId,
  readIdempotencyKey,
  readPaymentId,
} from '../../functions/http/index.ts';
import { isProblemError, type ProblemError } from '../../functions/http/problems.ts';

const refundBody = z.strictObject({
  amount: z.optional(z.number().check(z.positive())),
  reason: z.optional(z.string().check(z.maxLength(255))),
  externalReference: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/))),
});

const problemFrom = (run: () => unknown): ProblemError => {
  try {
    run();
  } catch (error) {
    if (isProblemError(error)) return error;
    throw error;
  }
  throw new Error('expected a ProblemError');
};

describe('parseBody', () => {
  it('reads no body as {}', () => {
    expect(parseBody(refundBody, undefined)).toEqual({});
    expect(parseBody(refundBody, {})).toEqual({});
  });

  it('names an unknown field as such, so a typo is never read as {}', () => {
    const problem = problemFrom(() => parseBody(refundBody, { ammount: 10 }));
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_ERROR');
    expect(problem.errors).toEqual([{ field: 'ammount', message: 'unknown field' }]);
    expect(problem.detail).toContain('ammount: unknown field');
  });

  it('lists every problem at once', () => {
    const problem = problemFrom(() =>
      parseBody(refundBody, {
        amount: 'ten',
        reason: 'r'.repeat(256),
        externalReference: 'a b',
        extra: 1,
        more: 2,
      }),
    );
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        { field: 'amount', message: 'must be a number' },
        { field: 'reason', message: 'must be at most 255 characters' },
        { field: 'externalReference', message: 'has an invalid format' },
        { field: 'extra', message: 'unknown field' },
        { field: 'more', message: 'unknown field' },
      ]),
    );
    expect(problem.errors).toHaveLength(5);
    expect(problem.detail).toMatch(/\(and 2 more\)$/);
  });

  it('names nested fields by path and says what is expected', () => {
    const order = z.strictObject({
      items: z.array(
        z.strictObject({ quantity: z.int().check(z.positive()), unitMeasure: z.enum(['unit', 'pack']) }),
      ),
    });
    const problem = problemFrom(() =>
      parseBody(order, {
        items: [
          { quantity: 1, unitMeasure: 'unit' },
          { quantity: 0.5, unitMeasure: 'box', x: 1 },
        ],
      }),
    );
    expect(problem.errors).toEqual([
      { field: 'items.1.quantity', message: 'must be an integer' },
      { field: 'items.1.unitMeasure', message: 'must be one of "unit", "pack"' },
      { field: 'items.1.x', message: 'unknown field' },
    ]);
  });

  it('says a missing field is required and a body that is not an object must be one', () => {
    const needsTitle = z.strictObject({ title: z.string().check(z.minLength(1)) });
    expect(problemFrom(() => parseBody(needsTitle, {})).errors).toEqual([
      { field: 'title', message: 'is required' },
    ]);
    expect(problemFrom(() => parseBody(needsTitle, { title: '' })).errors).toEqual([
      { field: 'title', message: 'must not be empty' },
    ]);
    for (const body of [[], 'text', 10, null]) {
      expect(problemFrom(() => parseBody(needsTitle, body)).errors).toEqual([
        { field: 'body', message: 'must be an object' },
      ]);
    }
  });

  it('keeps a message the schema gives', () => {
    const schema = z.strictObject({ amount: z.number().check(z.refine((n) => n < 5, 'is too much')) });
    expect(problemFrom(() => parseBody(schema, { amount: 9 })).errors).toEqual([
      { field: 'amount', message: 'is too much' },
    ]);
  });
});

describe('parseWith', () => {
  it('names the location when the value itself is wrong', () => {
    const problem = problemFrom(() =>
      parseWith(z.string().check(z.regex(/^\d+$/, 'must be digits')), 'x', 'page'),
    );
    expect(problem.errors).toEqual([{ field: 'page', message: 'must be digits' }]);
  });
});

describe('path ids and the Idempotency-Key header', () => {
  it.each(['1', '12345678901234567890'])('accepts paymentId %s', (paymentId) => {
    expect(readPaymentId({ pathParameters: { paymentId } })).toBe(paymentId);
  });

  it.each(['', 'abc', '123456789012345678901', '12 3', '-1', '1.5'])(
    'refuses paymentId %j naming it',
    (paymentId) => {
      const problem = problemFrom(() => readPaymentId({ pathParameters: { paymentId } }));
      expect(problem.status).toBe(400);
      expect(problem.errors).toEqual([{ field: 'paymentId', message: 'must be 1 to 20 digits' }]);
    },
  );

  it('refuses a missing paymentId', () => {
    expect(problemFrom(() => readPaymentId({ pathParameters: {} })).errors).toEqual([
      { field: 'paymentId', message: 'is required' },
    ]);
  });

  it.each(['till-1', 'SUC001POS_2', 'a'.repeat(64)])('accepts externalPosId %s', (externalPosId) => {
    expect(readExternalPosId({ pathParameters: { externalPosId } })).toBe(externalPosId);
  });

  it.each(['', 'a'.repeat(65), 'till 1', 'till.1', 'caixa/2'])(
    'refuses externalPosId %j naming it',
    (externalPosId) => {
      const problem = problemFrom(() => readExternalPosId({ pathParameters: { externalPosId } }));
      expect(problem.errors?.[0]?.field).toBe('externalPosId');
    },
  );

  it.each(['k', 'order-1:refund_2', 'A'.repeat(128)])('accepts Idempotency-Key %s', (key) => {
    expect(readIdempotencyKey({ headers: { 'idempotency-key': key } }, { required: true })).toBe(key);
  });

  it.each(['', 'A'.repeat(129), 'has space', 'a.b', 'a,b', 'ключ'])('refuses Idempotency-Key %j', (key) => {
    const problem = problemFrom(() =>
      readIdempotencyKey({ headers: { 'idempotency-key': key } }, { required: false }),
    );
    expect(problem.code).toBe('VALIDATION_ERROR');
    expect(problem.errors?.[0]?.field).toBe('Idempotency-Key');
  });

  it('requires the header only when asked to', () => {
    expect(readIdempotencyKey({ headers: {} }, { required: false })).toBeUndefined();
    expect(problemFrom(() => readIdempotencyKey({ headers: {} }, { required: true })).errors).toEqual([
      { field: 'Idempotency-Key', message: 'is required' },
    ]);
  });
});
