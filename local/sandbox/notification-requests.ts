/**
 * The requests Mercado Pago sends to a notification URL, per NOTES.md:
 * - webhook (`signed`): `?data.id=<id>&type=payment`, JSON body, `x-request-id` and
 *   `x-signature: ts=<seconds>,v1=<hmac>`; test variants: `unsigned` (no x-signature), `forged` (signed with
 *   another secret), `stale` (valid signature, `ts` an hour old);
 * - legacy IPN (`ipn`): `?topic=payment&id=<id>`, with an `x-signature` header that no secret validates;
 * - merchant order notices (`merchant_order`): `?topic=merchant_order&id=<id>`, unsigned.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signatureHeader } from './signature.ts';

export type PaymentAction = 'payment.created' | 'payment.updated';

export type NotificationKind = 'signed' | 'unsigned' | 'forged' | 'stale' | 'ipn';

export type NotificationInput =
  | {
      kind: NotificationKind;
      paymentId: string;
      /** Default `payment.updated`. */
      action?: PaymentAction;
      /** Extra identical copies (same x-request-id and signature) sent after the first. */
      duplicate?: number;
      /** Sign with `ts` in milliseconds (NOTES.md: some deliveries do). */
      tsInMilliseconds?: boolean;
      /** Default: the sandbox's notification URL. */
      url?: string;
    }
  | { kind: 'merchant_order'; merchantOrderId: string; duplicate?: number; url?: string };

export interface OutgoingNotification {
  query: [string, string][];
  headers: Record<string, string>;
  body: string;
  requestId: string | null;
}

export interface NotificationSigning {
  secret: string;
  userId: string;
  nowMs: number;
  notificationId: string;
}

export const STALE_SIGNATURE_SECONDS = 3600;

export const buildNotification = (
  input: NotificationInput,
  signing: NotificationSigning,
): OutgoingNotification => {
  const requestId = randomUUID();
  const json = { 'content-type': 'application/json' };
  if (input.kind === 'merchant_order') {
    return {
      query: [
        ['topic', 'merchant_order'],
        ['id', input.merchantOrderId],
      ],
      headers: { ...json, 'user-agent': 'MercadoPago Feed v2.0 merchant_order', 'x-request-id': requestId },
      body: JSON.stringify({
        resource: `https://api.mercadolibre.com/merchant_orders/${input.merchantOrderId}`,
        topic: 'merchant_order',
      }),
      requestId,
    };
  }
  if (input.kind === 'ipn') {
    const seconds = Math.floor(signing.nowMs / 1000);
    return {
      query: [
        ['topic', 'payment'],
        ['id', input.paymentId],
      ],
      headers: {
        ...json,
        'user-agent': 'MercadoPago Feed v2.0 payment',
        'x-request-id': requestId,
        'x-signature': `ts=${seconds},v1=${randomBytes(32).toString('hex')}`,
      },
      body: JSON.stringify({ resource: input.paymentId, topic: 'payment' }),
      requestId,
    };
  }
  const ts =
    input.kind === 'stale'
      ? String(Math.floor(signing.nowMs / 1000) - STALE_SIGNATURE_SECONDS)
      : input.tsInMilliseconds
        ? String(signing.nowMs)
        : String(Math.floor(signing.nowMs / 1000));
  const secret = input.kind === 'forged' ? randomBytes(16).toString('hex') : signing.secret;
  const headers: Record<string, string> = {
    ...json,
    'user-agent': 'MercadoPago WebHook v1.0 payment',
    'x-request-id': requestId,
  };
  if (input.kind !== 'unsigned')
    headers['x-signature'] = signatureHeader(secret, input.paymentId, requestId, ts);
  return {
    query: [
      ['data.id', input.paymentId],
      ['type', 'payment'],
    ],
    headers,
    body: JSON.stringify({
      id: Number(signing.notificationId),
      live_mode: false,
      type: 'payment',
      date_created: new Date(signing.nowMs).toISOString(),
      user_id: Number(signing.userId),
      api_version: 'v1',
      action: input.action ?? 'payment.updated',
      data: { id: input.paymentId },
    }),
    requestId,
  };
};

export const notificationUrl = (base: string, query: [string, string][]): string => {
  const url = new URL(base);
  for (const [name, value] of query) url.searchParams.append(name, value);
  return url.toString();
};
