/** Bodies of the Orders, chargeback and report controls over HTTP (strict, like control-schemas.ts). */
import * as z from 'zod/mini';
import { FORCEABLE_ORDER_STATUSES } from './order-records.ts';

const dateInput = z.union([z.string(), z.number()]);

export const payOrderBody = z.strictObject({ via: z.optional(z.enum(['static', 'dynamic'])) });
export const rejectOrderBody = z.strictObject({ statusDetail: z.optional(z.string()) });
export const orderStatusBody = z.strictObject({ status: z.enum(FORCEABLE_ORDER_STATUSES) });
export const orderOptionsBody = z.strictObject({
  partialRefunds: z.optional(z.nullable(z.boolean())),
  tips: z.optional(z.boolean()),
  cashOut: z.optional(z.boolean()),
});
export const settleOrderRefundBody = z.strictObject({ status: z.enum(['processed', 'failed']) });

export const openChargebackBody = z.strictObject({
  amount: z.optional(z.number()),
  reason: z.optional(z.string()),
  deadline: z.optional(z.nullable(dateInput)),
});
export const resolveChargebackBody = z.strictObject({ outcome: z.enum(['won', 'lost']) });
export const deadlineBody = z.strictObject({ deadline: z.nullable(dateInput) });

export const reportConfigBody = z.strictObject({ config: z.nullable(z.record(z.string(), z.unknown())) });

const rowMatch = z.strictObject({
  transactionType: z.optional(z.string()),
  sourceId: z.optional(z.string()),
  refundId: z.optional(z.string()),
});
export const reportAdjustmentsBody = z.strictObject({
  extraRows: z.optional(z.array(z.record(z.string(), z.string()))),
  drop: z.optional(z.array(rowMatch)),
  amounts: z.optional(z.array(z.strictObject({ match: rowMatch, amount: z.number() }))),
});
