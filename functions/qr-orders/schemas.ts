import * as z from 'zod/mini';
import { amountSchema } from '../http/amount-schema.ts';

/** Store ids and external references: 1 to 64 letters, digits, `-` or `_` (Mercado Pago's own rule). */
const referenceSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _'));

const textSchema = z.string().check(z.minLength(1), z.maxLength(255));

export const MIN_TTL_SECONDS = 30;
export const MAX_TTL_SECONDS = 86_400;
export const DEFAULT_TTL_SECONDS = 600;

export const qrOrderItemSchema = z.strictObject({
  skuNumber: z.optional(textSchema),
  category: z.optional(textSchema),
  title: textSchema,
  description: z.optional(textSchema),
  unitPrice: amountSchema,
  quantity: z.int().check(z.positive()),
  unitMeasure: z.enum(['unit', 'pack']),
  totalAmount: amountSchema,
});

/**
 * PUT /pos/{externalPosId}/order. Strict: an unknown field is a 400 naming it. Amounts are checked again
 * in the site's currency (items add up, item totals are price x quantity) by qr-order-rules.ts. `mode` other
 * than static needs QR_API=orders.
 */
export const putQrOrderBodySchema = z.strictObject({
  externalStoreId: z.optional(referenceSchema),
  externalReference: referenceSchema,
  title: textSchema,
  description: z.optional(textSchema),
  totalAmount: amountSchema,
  items: z.array(qrOrderItemSchema).check(z.minLength(1)),
  ttlSeconds: z.optional(z.int().check(z.gte(MIN_TTL_SECONDS), z.lte(MAX_TTL_SECONDS))),
  /** QR_API=orders: the till's static QR (default), the order's own code (dynamic), or both (hybrid). */
  mode: z.optional(z.enum(['static', 'dynamic', 'hybrid'])),
});

export type PutQrOrderBody = z.infer<typeof putQrOrderBodySchema>;
export type QrOrderItemBody = z.infer<typeof qrOrderItemSchema>;
