/**
 * Notifications of the newer topics, per NOTES-orders-reports-chargebacks.md:
 * - `order` webhook: `?data.id=<ORD id>&type=order`, body `{action, api_version, application_id, date_created,
 *   live_mode, type: "order", user_id, data: {id, external_reference, status, status_detail, total_amount,
 *   transactions, type: "qr", version}}`, signed like payment webhooks with `ts` in milliseconds; the signed id
 *   is the query's, or its lower case, or there is no `x-signature` (setting `orderWebhookSigning`);
 * - chargeback webhook: `?data.id=<case id>&type=topic_chargebacks_wh`, body with `actions:
 *   ["changed_case_status"]` and numeric ids written as bare JSON numbers (the 18-digit case id too: the body
 *   text is built by hand, never through a JS number), signed like payment webhooks;
 * - chargeback IPN: `?topic=chargebacks&id=<case id>`, with an `x-signature` no secret validates;
 * - report-ready notice: a JSON body `{transaction_id, request_date, generation_date, files[{type, url, name}],
 *   status, creation_type, report_type, is_test}`, no query, unsigned.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { SiteId } from '../../functions/model/money.ts';
import { mpDate } from './dates.ts';
import { SANDBOX_APPLICATION_ID } from './ids.ts';
import type { NotificationSigning, OutgoingNotification } from './notification-requests.ts';
import { signatureHeader } from './signature.ts';

export const ORDER_ACTIONS = [
  'order.processed',
  'order.canceled',
  'order.expired',
  'order.refunded',
  'order.charged_back',
  'order.action_required',
  'order.failed',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

export type OrderSigning = 'raw' | 'lowercase' | 'none';

export interface OrderNotice {
  orderId: string;
  action: OrderAction;
  /** The webhook's `data`, as the order was at the change. */
  data: Record<string, unknown>;
}

export interface ChargebackNotice {
  chargebackId: string;
  paymentId: string;
  siteId: SiteId;
}

export interface ReportNotice {
  transactionId: string;
  requestDate: number;
  generationDate: number;
  fileName: string;
}

/** What the notifier sends for these topics (resolved: the order's data is in it). */
export type TopicNotificationInput =
  | {
      kind: 'order';
      notice: OrderNotice;
      signing: OrderSigning;
      tsInMilliseconds?: boolean;
      duplicate?: number;
      url?: string;
    }
  | {
      kind: 'chargeback';
      notice: ChargebackNotice;
      tsInMilliseconds?: boolean;
      duplicate?: number;
      url?: string;
    }
  | { kind: 'chargeback_ipn'; chargebackId: string; duplicate?: number; url?: string }
  | { kind: 'report'; notice: ReportNotice; duplicate?: number; url?: string };

export interface TopicSigning extends NotificationSigning {
  /** The sandbox's URL, for the report file's `url`. */
  apiBaseUrl: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

const tsOf = (nowMs: number, milliseconds: boolean | undefined): string =>
  milliseconds ? String(nowMs) : String(Math.floor(nowMs / 1000));

const orderNotification = (
  input: Extract<TopicNotificationInput, { kind: 'order' }>,
  signing: TopicSigning,
): OutgoingNotification => {
  const requestId = randomUUID();
  const { orderId } = input.notice;
  const headers: Record<string, string> = {
    ...JSON_HEADERS,
    'user-agent': 'MercadoPago WebHook v1.0 order',
    'x-request-id': requestId,
  };
  if (input.signing !== 'none') {
    const signedId = input.signing === 'lowercase' ? orderId.toLowerCase() : orderId;
    const ts = tsOf(signing.nowMs, input.tsInMilliseconds ?? true);
    headers['x-signature'] = signatureHeader(signing.secret, signedId, requestId, ts);
  }
  return {
    query: [
      ['data.id', orderId],
      ['type', 'order'],
    ],
    headers,
    body: JSON.stringify({
      action: input.notice.action,
      api_version: 'v1',
      application_id: SANDBOX_APPLICATION_ID,
      date_created: new Date(signing.nowMs).toISOString(),
      live_mode: false,
      type: 'order',
      user_id: signing.userId,
      data: input.notice.data,
    }),
    requestId,
  };
};

/** The body text by hand: the case id (18 digits) must stay a bare JSON number with every digit. */
const chargebackBody = (notice: ChargebackNotice, signing: TopicSigning): string => {
  const digits = (value: string) => {
    if (!/^\d+$/.test(value)) throw new Error(`not an id of digits: ${value}`);
    return value;
  };
  const date = mpDate(signing.nowMs).replace(/\.\d{3}/, '');
  return (
    `{"actions":["changed_case_status"],"api_version":"v1","application_id":${SANDBOX_APPLICATION_ID},` +
    `"data":{"checkout":"PRO","date_updated":"0001-01-01T00:00:00Z","id":${digits(notice.chargebackId)},` +
    `"payment_id":${digits(notice.paymentId)},"product_id":"C5ESRL3D0A0001F2L7FG","site_id":"${notice.siteId}",` +
    `"transaction_intent_id":""},"date_created":${JSON.stringify(date)},"id":${digits(signing.notificationId)},` +
    `"live_mode":false,"type":"topic_chargebacks_wh","user_id":${digits(signing.userId)},` +
    `"version":${Math.floor(signing.nowMs / 1000)}}`
  );
};

const chargebackNotification = (
  input: Extract<TopicNotificationInput, { kind: 'chargeback' }>,
  signing: TopicSigning,
): OutgoingNotification => {
  const requestId = randomUUID();
  const id = input.notice.chargebackId;
  const ts = tsOf(signing.nowMs, input.tsInMilliseconds);
  return {
    query: [
      ['data.id', id],
      ['type', 'topic_chargebacks_wh'],
    ],
    headers: {
      ...JSON_HEADERS,
      'user-agent': 'MercadoPago WebHook v1.0 topic_chargebacks_wh',
      'x-request-id': requestId,
      'x-signature': signatureHeader(signing.secret, id, requestId, ts),
    },
    body: chargebackBody(input.notice, signing),
    requestId,
  };
};

const chargebackIpn = (chargebackId: string, signing: TopicSigning): OutgoingNotification => {
  const requestId = randomUUID();
  return {
    query: [
      ['topic', 'chargebacks'],
      ['id', chargebackId],
    ],
    headers: {
      ...JSON_HEADERS,
      'user-agent': 'MercadoPago Feed v2.0 chargebacks',
      'x-request-id': requestId,
      'x-signature': `ts=${Math.floor(signing.nowMs / 1000)},v1=${randomBytes(32).toString('hex')}`,
    },
    body: `{"resource":"https://api.mercadopago.com/v1/chargebacks/${chargebackId}","topic":"chargebacks"}`,
    requestId,
  };
};

const reportNotification = (notice: ReportNotice, signing: TopicSigning): OutgoingNotification => ({
  query: [],
  headers: { ...JSON_HEADERS, 'user-agent': 'MercadoPago Reports', 'x-request-id': randomUUID() },
  body: JSON.stringify({
    transaction_id: notice.transactionId,
    request_date: new Date(notice.requestDate).toISOString(),
    generation_date: new Date(notice.generationDate).toISOString(),
    files: [
      {
        type: '.csv',
        url: `${signing.apiBaseUrl}/v1/account/settlement_report/${notice.fileName}`,
        name: notice.fileName,
      },
    ],
    status: 'enabled',
    creation_type: 'manual',
    report_type: 'settlement',
    is_test: true,
  }),
  requestId: null,
});

export const buildTopicNotification = (
  input: TopicNotificationInput,
  signing: TopicSigning,
): OutgoingNotification => {
  if (input.kind === 'order') return orderNotification(input, signing);
  if (input.kind === 'chargeback') return chargebackNotification(input, signing);
  if (input.kind === 'chargeback_ipn') return chargebackIpn(input.chargebackId, signing);
  return reportNotification(input.notice, signing);
};

export const describeTopic = (input: TopicNotificationInput): string => {
  if (input.kind === 'order') return `order ${input.notice.orderId} (${input.notice.action})`;
  if (input.kind === 'chargeback') return `chargeback ${input.notice.chargebackId}`;
  if (input.kind === 'chargeback_ipn') return `chargeback ${input.chargebackId} (IPN)`;
  return `report ${input.notice.fileName}`;
};
