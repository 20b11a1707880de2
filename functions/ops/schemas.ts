import * as z from 'zod/mini';

/** A person's words on a decision, stored and published with it. */
const noteSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(500), z.regex(/\S/, 'must say why (not only spaces)'));

/** POST .../refunds/{refundId}/resolution. Strict: an unknown field is a 400 naming it. */
export const refundResolutionBodySchema = z.strictObject({
  outcome: z.enum(['succeeded', 'failed']),
  /** Required with `succeeded` (the Mercado Pago refund it is), refused with `failed`. */
  mercadoPagoRefundId: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a Mercado Pago refund id')),
  ),
  note: noteSchema,
});
export type RefundResolutionBody = z.infer<typeof refundResolutionBodySchema>;

/** POST .../cancellation/resolution. */
export const cancellationResolutionBodySchema = z.strictObject({
  outcome: z.enum(['cancelled', 'not_cancelled']),
  note: noteSchema,
});
export type CancellationResolutionBody = z.infer<typeof cancellationResolutionBodySchema>;

/** POST .../recheck takes no fields (no body and `{}` are the same request). */
export const recheckBodySchema = z.strictObject({});
