/**
 * The Mercado Pago endpoints the project uses. Each request: token check (401), route (404/405),
 * `X-Idempotency-Key` (required for refunds: 400 code 4292; honoured when sent on a cancellation), JSON
 * body, then the key's state (replay / 409), then the injected latency, then processing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type ApiRequest, errorAnswer, type Route, simpleError } from './api-routes.ts';
import { cancelPayment } from './cancellation.ts';
import { CHARGEBACK_ROUTES } from './chargeback-routes.ts';
import type { SandboxContext } from './context.ts';
import { type Answer, header, parseJson } from './http-io.ts';
import { canonicalJson, type IdempotencyKeys } from './idempotency.ts';
import { isDigits } from './ids.ts';
import { merchantOrderJson, visibleMerchantOrder } from './merchant-orders.ts';
import { badRequest, MpHttpError, mpError, paymentNotFound } from './mp-errors.ts';
import { ORDERS_PATH, OrdersHttpError } from './order-errors.ts';
import { ORDER_ROUTES } from './order-routes.ts';
import { minimalPaymentJson, paymentJson } from './payment-json.ts';
import { refundsOfPayment, visiblePayment } from './payments.ts';
import { deleteQrOrder, findQrOrder, putQrOrder, qrOrderJson } from './qr-orders.ts';
import { refundJson } from './refund-json.ts';
import { createRefund } from './refunds.ts';
import { REPORT_ROUTES } from './report-routes.ts';

export type { ApiRequest } from './api-routes.ts';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const paymentOf = (ctx: SandboxContext, id: string | undefined) => {
  const payment = id !== undefined && isDigits(id) ? visiblePayment(ctx, id) : undefined;
  if (!payment) throw paymentNotFound(ctx.now());
  return payment;
};

const refundAmountOf = (ctx: SandboxContext, body: unknown): number | undefined => {
  if (body === undefined || body === null) return undefined;
  if (!isRecord(body)) throw badRequest(ctx.now(), 'The body must be a JSON object');
  const amount = body.amount;
  if (amount === undefined || amount === null) return undefined;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) throw badRequest(ctx.now(), 'Invalid amount');
  return amount;
};

const QR_ORDER_GET_OR_DELETE =
  /^\/instore\/qr\/seller\/collectors\/([^/]+)\/pos\/([A-Za-z0-9_-]{1,64})\/orders$/;

const PAYMENT_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/v1\/payments\/([^/]+)$/,
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => ({ status: 200, body: paymentJson(ctx, paymentOf(ctx, params[0])) }),
  },
  {
    method: 'PUT',
    pattern: /^\/v1\/payments\/([^/]+)$/,
    idempotencyKey: 'optional',
    run: (ctx, { params, body }) => {
      const payment = paymentOf(ctx, params[0]);
      cancelPayment(ctx, payment.id, body);
      return {
        status: 200,
        body: payment.minimalAnswers ? minimalPaymentJson(payment) : paymentJson(ctx, payment),
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/v1\/payments\/([^/]+)\/refunds$/,
    idempotencyKey: 'required',
    run: (ctx, { params, request, body }) => {
      const payment = paymentOf(ctx, params[0]);
      const amount = refundAmountOf(ctx, body);
      const renderInProcess =
        header(request.headers, 'x-render-in-process-refunds')?.trim().toLowerCase() === 'true';
      const refund = createRefund(ctx, payment.id, { amount, renderInProcess, origin: 'api' });
      return { status: 201, body: refundJson(ctx, refund, payment) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/payments\/([^/]+)\/refunds$/,
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => {
      const payment = paymentOf(ctx, params[0]);
      return { status: 200, body: refundsOfPayment(ctx, payment).map((r) => refundJson(ctx, r, payment)) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/payments\/([^/]+)\/refunds\/([^/]+)$/,
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => {
      const payment = paymentOf(ctx, params[0]);
      const refund = refundsOfPayment(ctx, payment).find((r) => r.id === params[1]);
      if (!refund) return simpleError(404, 'not_found', 'Refund not found');
      return { status: 200, body: refundJson(ctx, refund, payment) };
    },
  },
  {
    method: 'PUT',
    pattern:
      /^\/instore\/qr\/seller\/collectors\/([^/]+)\/stores\/([A-Za-z0-9_-]{1,64})\/pos\/([A-Za-z0-9_-]{1,64})\/orders$/,
    idempotencyKey: 'optional',
    run: (ctx, { params, request, body }) => {
      const [userId = '', storeId = '', posId = ''] = params;
      const ttlHeader = header(request.headers, 'x-ttl-store-preference');
      putQrOrder(ctx, { userId, storeId, posId, ttlHeader, body });
      return { status: 204 };
    },
  },
  {
    method: 'PUT',
    pattern: QR_ORDER_GET_OR_DELETE,
    idempotencyKey: 'optional',
    run: (ctx, { params, request, body }) => {
      const [userId = '', posId = ''] = params;
      const ttlHeader = header(request.headers, 'x-ttl-store-preference');
      putQrOrder(ctx, { userId, storeId: null, posId, ttlHeader, body });
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: QR_ORDER_GET_OR_DELETE,
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => {
      const [userId = '', posId = ''] = params;
      const order = findQrOrder(ctx, userId, posId);
      if (ctx.settings.qrOrderGetForm === 'array')
        return { status: 200, body: order ? [qrOrderJson(order)] : [] };
      if (!order) {
        return simpleError(
          404,
          'point_of_sale_in_store_order_not_found',
          `in-store order not found for pos ${posId}`,
        );
      }
      return { status: 200, body: qrOrderJson(order) };
    },
  },
  {
    method: 'DELETE',
    pattern: QR_ORDER_GET_OR_DELETE,
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => {
      const [userId = '', posId = ''] = params;
      deleteQrOrder(ctx, userId, posId);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: /^\/merchant_orders\/([^/]+)$/,
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => {
      const id = params[0] ?? '';
      const order = isDigits(id) ? visibleMerchantOrder(ctx, id) : undefined;
      if (!order) return simpleError(404, 'not_found', `Merchant Order ${id} not found`);
      return { status: 200, body: merchantOrderJson(ctx, order) };
    },
  },
];

const ROUTES: Route[] = [...PAYMENT_ROUTES, ...ORDER_ROUTES, ...CHARGEBACK_ROUTES, ...REPORT_ROUTES];

/** Refusals the router makes itself, in the error shape of the API the path belongs to. */
const routerError = (
  ctx: SandboxContext,
  path: string,
  status: number,
  payments: { error: string; message: string; code?: number },
  ordersCode: string,
): Answer => {
  if (ORDERS_PATH.test(path)) {
    const error = new OrdersHttpError(status, ordersCode, payments.message);
    return { status, body: error.body };
  }
  if (payments.code !== undefined)
    return errorAnswer(badRequest(ctx.now(), payments.message, payments.code).body);
  return simpleError(status, payments.error, payments.message);
};

/** Mercado Pago serves a path with one trailing slash as the path without it (the Node SDK lists refunds so). */
const withoutTrailingSlash = (path: string): string =>
  path.length > 1 && path.endsWith('/') && !path.endsWith('//') ? path.slice(0, -1) : path;

export interface ApiDeps {
  ctx: SandboxContext;
  keys: IdempotencyKeys;
  /** Applies what time did (expired pending payments and QR orders) before each request is processed. */
  sweep(): void;
}

export const hasValidToken = (ctx: SandboxContext, headers: IncomingHttpHeaders): boolean => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
  return match?.[1] === ctx.settings.accessToken;
};

/** `beforeProcessing` runs once, after the key is claimed and before anything changes (injected latency). */
export const handleApiRequest = async (
  deps: ApiDeps,
  request: ApiRequest,
  beforeProcessing: () => Promise<void>,
): Promise<Answer> => {
  const { ctx, keys } = deps;
  const early = async (answer: Answer) => {
    await beforeProcessing();
    return answer;
  };
  const path = withoutTrailingSlash(request.path);
  if (!hasValidToken(ctx, request.headers)) {
    return early(
      routerError(ctx, path, 401, { error: 'unauthorized', message: 'invalid access token' }, 'unauthorized'),
    );
  }

  const candidates = ROUTES.map((route) => ({ route, match: route.pattern.exec(path) })).filter(
    (c) => c.match !== null,
  );
  const found = candidates.find((c) => c.route.method === request.method);
  if (!found) {
    return early(
      candidates.length > 0
        ? routerError(
            ctx,
            path,
            405,
            { error: 'method_not_allowed', message: 'Method not allowed' },
            'method_not_allowed',
          )
        : routerError(ctx, path, 404, { error: 'not_found', message: 'resource not found' }, 'not_found'),
    );
  }
  const { route } = found;
  const params = found.match!.slice(1);
  const key =
    route.idempotencyKey === 'ignored'
      ? undefined
      : header(request.headers, 'x-idempotency-key')?.trim() || undefined;
  if (route.idempotencyKey === 'required' && key === undefined) {
    const message = "Header X-Idempotency-Key can't be null";
    return early(
      routerError(ctx, path, 400, { error: 'bad_request', message, code: 4292 }, 'empty_required_header'),
    );
  }
  const parsed = parseJson(request.rawBody);
  if (!parsed.ok) {
    return early(
      routerError(ctx, path, 400, { error: 'bad_request', message: 'Invalid JSON body' }, 'invalid_body'),
    );
  }

  const scopedKey = key === undefined ? undefined : `${route.idempotencyScope ?? 'payments'} ${key}`;
  if (scopedKey !== undefined) {
    const decision = keys.begin(scopedKey, `${request.method} ${path} ${canonicalJson(parsed.value ?? {})}`);
    if (decision.kind === 'replay')
      return early({ status: decision.answer.status, body: decision.answer.body });
    if (decision.kind === 'running') {
      const message = 'A request with this X-Idempotency-Key is already being processed';
      return early(
        ORDERS_PATH.test(path)
          ? routerError(ctx, path, 423, { error: 'locked', message }, 'idempotency_key_locked')
          : simpleError(409, 'conflict', message),
      );
    }
    if (decision.kind === 'mismatch') {
      const message = 'X-Idempotency-Key already used with a different request';
      return early(
        routerError(ctx, path, 409, { error: 'conflict', message }, 'idempotency_key_already_used'),
      );
    }
  }

  let answer: Answer;
  let keepKey = true;
  try {
    await beforeProcessing();
    deps.sweep();
    answer = route.run(ctx, { params, request: { ...request, path }, body: parsed.value });
  } catch (error) {
    if (error instanceof MpHttpError) {
      answer = errorAnswer(error.body, error.headers);
    } else if (error instanceof OrdersHttpError) {
      answer = { status: error.status, body: error.body };
      keepKey = !error.transient;
    } else {
      ctx.log(
        `sandbox error on ${request.method} ${request.path}: ${error instanceof Error ? error.stack : String(error)}`,
      );
      answer = errorAnswer(mpError(ctx.now(), 500, 'internal_server_error', 'Internal server error').body);
    }
  }
  if (scopedKey !== undefined) {
    if (keepKey) keys.finish(scopedKey, { status: answer.status, body: answer.body });
    else keys.forget(scopedKey);
  }
  return answer;
};
