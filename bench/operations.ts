/**
 * The requests the bench makes, as API Gateway would deliver them, each on state prepared in the sandbox
 * for it: a refund of its own approved payment, a cancellation of its own pending payment, a QR order on
 * its own till, a signed notification of a payment refunded from the seller's dashboard (which the webhook
 * turns into a ledger). Every request is new work, so no figure is flattered by a cache or a replay, except
 * the replays, which are exactly that.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { matchRoute } from '../functions/http/route-match.ts';
import { ROUTES } from '../functions/routes.ts';
import { toApiGatewayEvent } from '../local/api-gateway-event.ts';
import type { Sandbox } from '../local/sandbox/index.ts';
import { buildNotification, notificationUrl } from '../local/sandbox/notification-requests.ts';
import type { Invocation } from './child/protocol.ts';
import { USER_ID, WEBHOOK_SECRET } from './services.ts';

export const OperationKind = {
  Refund: 'refund',
  Replay: 'replay',
  Cancellation: 'cancellation',
  QrOrder: 'qr-order',
  Notification: 'notification',
} as const;
export type OperationKind = (typeof OperationKind)[keyof typeof OperationKind];

/**
 * The IAM caller API Gateway puts in merchant routes' events (IAM authorization, as deployed): a back-office
 * role's session, an ARN of the length a deployed caller has (the ledger records who asked).
 */
export const MERCHANT_ARN =
  'arn:aws:sts::123456789012:assumed-role/merchant-backoffice-refunds/session-0123456789';

export interface HttpRequestInput {
  method: string;
  /** Path and query. */
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The API Gateway v2 event of a request on one of ROUTES, with the IAM authorizer of merchant routes. */
export const apiGatewayEvent = (request: HttpRequestInput): APIGatewayProxyEventV2 => {
  const path = request.url.split('?')[0]!;
  const match = matchRoute(ROUTES, request.method, path);
  if (match.kind !== 'found') throw new Error(`no route for ${request.method} ${path}`);
  const headers = {
    host: 'api.bench.example.com',
    'user-agent': 'bench',
    ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...request.headers,
  };
  const event = toApiGatewayEvent(
    {
      method: request.method,
      url: request.url,
      rawHeaders: Object.entries(headers).flat(),
      body: Buffer.from(request.body ?? ''),
      sourceIp: '203.0.113.10',
      protocol: 'HTTP/1.1',
    },
    { routeKey: match.routeKey, pathParameters: match.pathParameters },
  );
  if (match.route.auth !== 'merchant') return event;
  const iam = {
    accountId: '123456789012',
    userArn: MERCHANT_ARN,
    userId: 'AROABENCHROLEID00000:session-0123456789',
    callerId: 'AROABENCHROLEID00000:session-0123456789',
    principalOrgId: null,
    cognitoIdentity: null,
    accessKey: 'ASIABENCH00000000000',
  };
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { iam } },
  } as APIGatewayProxyEventV2;
};

/** Makes every key and reference of a run distinct from those of the runs before it. */
let sequence = 0;
const nextTag = (): string => `${process.pid.toString(36)}${(++sequence).toString(36)}`;

export const refundRequest = (paymentId: string, key: string): HttpRequestInput => ({
  method: 'POST',
  url: `/payments/${paymentId}/refunds`,
  headers: { 'idempotency-key': key },
  body: JSON.stringify({ amount: 40, reason: 'bench' }),
});

/** Refunds of 40.00 of new approved 100.00 BRL payments; answered 201. */
export const refunds = (sandbox: Sandbox, count: number): Invocation[] =>
  Array.from({ length: count }, () => {
    const paymentId = sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 });
    return {
      label: `refund of ${paymentId}`,
      event: apiGatewayEvent(refundRequest(paymentId, `bench-${nextTag()}`)),
      expect: { status: 201, bodyIncludes: '"succeeded"' },
    };
  });

/** The same requests again: replays, answered as the first time (201). */
export const replays = (done: readonly Invocation[]): Invocation[] =>
  done.map((invocation) => ({ ...invocation, label: `replay: ${invocation.label}` }));

export const cancellationRequest = (paymentId: string, key: string): HttpRequestInput => ({
  method: 'POST',
  url: `/payments/${paymentId}/cancellation`,
  headers: { 'idempotency-key': key },
});

/** Cancellations of new pending (ticket) payments; answered 200. */
export const cancellations = (sandbox: Sandbox, count: number): Invocation[] =>
  Array.from({ length: count }, () => {
    const paymentId = sandbox.createPayment({ status: 'pending', currency: 'BRL', amount: 50 });
    return {
      label: `cancellation of ${paymentId}`,
      event: apiGatewayEvent(cancellationRequest(paymentId, `bench-${nextTag()}`)),
      expect: { status: 200, bodyIncludes: '"cancelled"' },
    };
  });

export const qrOrderRequest = (posId: string, reference: string): HttpRequestInput => ({
  method: 'PUT',
  url: `/pos/${posId}/order`,
  body: JSON.stringify({
    externalReference: reference,
    title: 'Bench order',
    totalAmount: 25,
    items: [{ title: 'Coffee', unitPrice: 12.5, quantity: 2, unitMeasure: 'unit', totalAmount: 25 }],
  }),
});

/** A new order on a new till each time; answered 201. */
export const qrOrders = (count: number): Invocation[] =>
  Array.from({ length: count }, () => {
    const tag = nextTag();
    return {
      label: `QR order ${tag}`,
      event: apiGatewayEvent(qrOrderRequest(`POS${tag}`, `bench-${tag}`)),
      expect: { status: 201 },
    };
  });

/** Notification ids: numbers (Mercado Pago's are), distinct within a run and below 2^53. */
const notificationIdBase = Date.now() * 1000;
let notificationsMade = 0;

/** A signed webhook (payment.updated) as Mercado Pago sends it, for a payment refunded from the dashboard. */
export const notificationRequest = (sandbox: Sandbox): HttpRequestInput => {
  const paymentId = sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 });
  sandbox.dashboardRefund(paymentId, 30);
  const notification = buildNotification(
    { kind: 'signed', paymentId },
    {
      secret: WEBHOOK_SECRET,
      userId: USER_ID,
      nowMs: Date.now(),
      notificationId: String(notificationIdBase + ++notificationsMade),
    },
  );
  const url = notificationUrl('http://localhost/webhooks/mercadopago', notification.query);
  const parsed = new URL(url);
  return {
    method: 'POST',
    url: `${parsed.pathname}${parsed.search}`,
    headers: notification.headers,
    body: notification.body,
  };
};

/** Notifications that each bring a new ledger into being; answered 200 `processed`. */
export const notifications = (sandbox: Sandbox, count: number): Invocation[] =>
  Array.from({ length: count }, () => {
    const request = notificationRequest(sandbox);
    return {
      label: `notification ${request.url}`,
      event: apiGatewayEvent(request),
      expect: { status: 200, bodyIncludes: '"processed"' },
    };
  });
