import * as z from 'zod/mini';
import { amountSchema } from '../http/amount-schema.ts';

/**
 * The refund request body. Strict: an unknown field (say `ammount`) is a 400 naming it, never read as `{}`
 * (which means "refund everything left").
 */
export const createRefundBodySchema = z.strictObject({
  amount: z.optional(amountSchema),
  reason: z.optional(z.string().check(z.maxLength(255))),
  externalReference: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _')),
  ),
});

export type CreateRefundBody = z.infer<typeof createRefundBodySchema>;

/** Shared with the operations routes (functions/http/parameters.ts). */
export { refundIdSchema } from '../http/parameters.ts';
