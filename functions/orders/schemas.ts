import * as z from 'zod/mini';
import { amountSchema } from '../http/amount-schema.ts';

/**
 * An order refund's body: a payment refund's (strict: an unknown field is a 400 naming it, never read as
 * `{}`), plus the payment transaction refunded (`PAY...`), required when the order has several.
 */
export const createOrderRefundBodySchema = z.strictObject({
  amount: z.optional(amountSchema),
  reason: z.optional(z.string().check(z.maxLength(255))),
  externalReference: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _')),
  ),
  transactionId: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 letters, digits, - or _')),
  ),
});

export type CreateOrderRefundBody = z.infer<typeof createOrderRefundBodySchema>;

/** The cancellation takes no fields: no body and `{}` are the same request. */
export const orderCancellationBodySchema = z.strictObject({});
