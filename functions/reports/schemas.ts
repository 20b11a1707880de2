/** The reports routes' inputs (API.md): dates, the range of at most 31 days, the page. */
import * as z from 'zod/mini';
import { isDay } from '../model/reports/days.ts';

export const daySchema = z.string().check(z.refine(isDay, 'must be a date YYYY-MM-DD'));

export const MAX_RANGE_DAYS = 31;
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

export const refundsQuerySchema = z.strictObject({
  from: daySchema,
  to: daySchema,
  cursor: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,400}$/, 'is not a cursor this API gave'))),
  limit: z.optional(
    z
      .pipe(
        z.string().check(z.regex(/^\d{1,4}$/, `must be a whole number from 1 to ${MAX_LIMIT}`)),
        z.transform((value) => Number(value)),
      )
      .check(z.refine((n) => n >= 1 && n <= MAX_LIMIT, `must be a whole number from 1 to ${MAX_LIMIT}`)),
  ),
});

/** The cursor: where the last page ended (the refund's createdAt and id), opaque to callers. */
const cursorSchema = z.object({ c: z.string(), r: z.string() });

export const encodeCursor = (position: { createdAt: string; refundId: string }): string =>
  Buffer.from(JSON.stringify({ c: position.createdAt, r: position.refundId })).toString('base64url');

export const decodeCursor = (cursor: string): { createdAt: string; refundId: string } | null => {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return parsed.success ? { createdAt: parsed.data.c, refundId: parsed.data.r } : null;
  } catch {
    return null;
  }
};
