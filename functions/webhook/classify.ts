/**
 * Tells a notification's shape (API.md, POST /webhooks/mercadopago) from its query string, never from the
 * presence of a signature header:
 * - webhook: query `data.id` and `type`; must be signed; body `{type, action, data: {id}, id, user_id}`;
 * - merchant-order notices (`topic_merchant_order_wh`, `merchant_order`, as a webhook type or IPN topic) and
 *   legacy IPN (`?topic=&id=`): unverifiable hints to re-read the resource.
 */

export const MERCHANT_ORDER_TOPICS: ReadonlySet<string> = new Set([
  'topic_merchant_order_wh',
  'merchant_order',
]);

export interface WebhookShape {
  kind: 'webhook';
  type: string;
  /** The query's `data.id`: what the signature covers. */
  dataId: string;
  /** The body's `data.id`, when the body has one (a non-text value is kept as a value that matches nothing). */
  bodyDataId: string | undefined;
  action: string | undefined;
  /** The body's `id`: the notification's own id, the same on Mercado Pago's retries. */
  notificationId: string | undefined;
  userId: string | undefined;
  /** `order` webhooks: the body's `data.version` (grows with each change of the order). */
  version: number | undefined;
}

export interface HintShape {
  kind: 'hint';
  /** `payment`, `merchant_order`, or another topic (acknowledged, nothing done). */
  topic: string;
  resourceId: string;
}

/** Mercado Pago's notice that a report file was generated: a hint, never trusted (API.md). */
export interface ReportNoticeShape {
  kind: 'report';
  transactionId: string | undefined;
}

export type NotificationShape =
  | WebhookShape
  | HintShape
  | ReportNoticeShape
  | { kind: 'invalid'; detail: string };

/** Webhook types and IPN topics of chargebacks (NOTES §3; openapi lists `chargebacks` as a type too). */
export const CHARGEBACK_TOPICS: ReadonlySet<string> = new Set(['topic_chargebacks_wh', 'chargebacks']);

const MAX_FIELD_LENGTH = 256;

/** Strings and whole numbers (Mercado Pago sends ids both ways) as text; anything else is not an id. */
const idText = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.slice(0, MAX_FIELD_LENGTH);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
};

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;

/** A whole non-negative number, or its digits (as a body may send it); anything else is no version. */
const versionOf = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
};

/** Never equal to a query value: a body data.id that is present but is not an id. */
const NOT_AN_ID = '\u0000not-an-id';

export const classifyNotification = (query: Record<string, string>, body: unknown): NotificationShape => {
  const dataId = query['data.id'];
  const type = query.type;
  if (dataId !== undefined && dataId !== '' && type !== undefined && type !== '') {
    if (MERCHANT_ORDER_TOPICS.has(type)) return { kind: 'hint', topic: 'merchant_order', resourceId: dataId };
    const data = field(body, 'data');
    const rawBodyId = field(data, 'id');
    const single = field(body, 'action');
    // Chargeback webhooks say `actions: ["changed_case_status"]` instead of `action`.
    const many = field(body, 'actions');
    const action =
      typeof single === 'string'
        ? single
        : Array.isArray(many) && many.every((a) => typeof a === 'string')
          ? many.join(',')
          : undefined;
    return {
      kind: 'webhook',
      type,
      dataId,
      bodyDataId: rawBodyId === undefined ? undefined : (idText(rawBodyId) ?? NOT_AN_ID),
      action: typeof action === 'string' ? action.slice(0, MAX_FIELD_LENGTH) : undefined,
      notificationId: idText(field(body, 'id')),
      userId: idText(field(body, 'user_id')),
      version: versionOf(field(data, 'version')),
    };
  }
  const topic = query.topic;
  const id = query.id;
  if (topic !== undefined && topic !== '' && id !== undefined && id !== '') {
    return {
      kind: 'hint',
      topic: MERCHANT_ORDER_TOPICS.has(topic) ? 'merchant_order' : topic,
      resourceId: id,
    };
  }
  const files = field(body, 'files');
  if (Array.isArray(files) && field(body, 'transaction_id') !== undefined) {
    return { kind: 'report', transactionId: idText(field(body, 'transaction_id')) };
  }
  return {
    kind: 'invalid',
    detail:
      'A notification needs query data.id and type (webhook), topic and id (IPN), or a report notice body (files, transaction_id).',
  };
};
