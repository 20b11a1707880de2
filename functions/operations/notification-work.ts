/**
 * A notification reduced to what is done with it: re-read one resource with our own token. This is the
 * message the webhook puts on the queue and what the processor (or the inline path) consumes; the content
 * of the notification itself is never trusted beyond naming the resource.
 */
import * as z from 'zod/mini';

export const NotificationResource = {
  Payment: 'payment',
  MerchantOrder: 'merchant_order',
  Chargeback: 'chargeback',
  Order: 'order',
} as const;
export type NotificationResource = (typeof NotificationResource)[keyof typeof NotificationResource];

/** Payments and merchant orders are digits; chargeback case ids too in notifications (18 of them). */
export const RESOURCE_ID = /^\d{1,20}$/;

export const notificationWorkSchema = z.object({
  resource: z.enum(['payment', 'merchant_order', 'chargeback', 'order']),
  /** Digits (payments, merchant orders, chargeback cases) or an Orders id, upper case (`ORD...`). */
  id: z.string().check(z.regex(/^(\d{1,20}|ORD[A-Z0-9]{20,40})$/)),
  /** `order` webhooks: the delivery's `data.version` (a delivery no newer than the recorded one is stale). */
  version: z.optional(z.int().check(z.nonnegative())),
  /** `webhook`: signed; `hint`: IPN or merchant-order notice, rate limited. */
  via: z.enum(['webhook', 'hint']),
  receivedAt: z.string(),
  /** Mercado Pago's x-request-id, for logs. */
  requestId: z.optional(z.string().check(z.maxLength(256))),
});

export type NotificationWork = z.infer<typeof notificationWorkSchema>;

export const parseNotificationWork = (text: string): NotificationWork | null => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const result = notificationWorkSchema.safeParse(json);
  return result.success ? result.data : null;
};
