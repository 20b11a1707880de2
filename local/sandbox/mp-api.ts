/**
 * The Mercado Pago endpoints the project uses. Each request: token check (401), route (404/405),
 * `X-Idempotency-Key` (required for refunds: 400 code 4292; honoured when sent on a cancellation), JSON
 * body, then the key's state (replay / 409), then the injected latency, then processing.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { cancelPayment } from './cancellation.ts';
import type { SandboxContext } from './context.ts';
import { type Answer, header, parseJson } from './http-io.ts';
import { canonicalJson, type IdempotencyKeys } from './idempotency.ts';
import { isDigits } from './ids.ts';
import { merchantOrderJson, visibleMerchantOrder } from './merchant-orders.ts';
import { badRequest, type MpErrorBody, MpHttpError, mpError, paymentNotFound } from './mp-errors.ts';
import { minimalPaymentJson, paymentJson } from './payment-json.ts';
import { refundsOfPayment, visiblePayment } from './payments.ts';
import { deleteQrOrder, findQrOrder, putQrOrder, qrOrderJson } from './qr-orders.ts';
import { refundJson } from './refund-json.ts';
import { createRefund } from './refunds.ts';

export interface ApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

interface RouteInput {
  params: string[];
  request: ApiRequest;
  body: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  idempotencyKey: 'required' | 'optional' | 'ignored';
  run(ctx: SandboxContext, input: RouteInput): Answer;
}

const errorAnswer = (body: MpErrorBody, headers: Record<string, string> = {}): Answer => ({
  status: body.status,
  body,
  headers,
});

const simpleError = (status: number, error: string, message: string): Answer =>
  errorAnswer({ message, error, status, cause: [] });

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

const ROUTES: Route[] = [
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
  if (!hasValidToken(ctx, request.headers))
    return early(simpleError(401, 'unauthorized', 'invalid access token'));

  const candidates = ROUTES.map((route) => ({ route, match: route.pattern.exec(request.path) })).filter(
    (c) => c.match !== null,
  );
  const found = candidates.find((c) => c.route.method === request.method);
  if (!found) {
    return early(
      candidates.length > 0
        ? simpleError(405, 'method_not_allowed', 'Method not allowed')
        : simpleError(404, 'not_found', 'resource not found'),
    );
  }
  const { route } = found;
  const params = found.match!.slice(1);
  const key =
    route.idempotencyKey === 'ignored'
      ? undefined
      : header(request.headers, 'x-idempotency-key')?.trim() || undefined;
  if (route.idempotencyKey === 'required' && key === undefined) {
    return early(errorAnswer(badRequest(ctx.now(), "Header X-Idempotency-Key can't be null", 4292).body));
  }
  const parsed = parseJson(request.rawBody);
  if (!parsed.ok) return early(errorAnswer(badRequest(ctx.now(), 'Invalid JSON body').body));

  if (key !== undefined) {
    const decision = keys.begin(
      key,
      `${request.method} ${request.path} ${canonicalJson(parsed.value ?? {})}`,
    );
    if (decision.kind === 'replay')
      return early({ status: decision.answer.status, body: decision.answer.body });
    if (decision.kind === 'running') {
      return early(
        simpleError(409, 'conflict', 'A request with this X-Idempotency-Key is already being processed'),
      );
    }
    if (decision.kind === 'mismatch') {
      return early(simpleError(409, 'conflict', 'X-Idempotency-Key already used with a different request'));
    }
  }

  let answer: Answer;
  try {
    await beforeProcessing();
    deps.sweep();
    answer = route.run(ctx, { params, request, body: parsed.value });
  } catch (error) {
    if (error instanceof MpHttpError) {
      answer = errorAnswer(error.body, error.headers);
    } else {
      ctx.log(
        `sandbox error on ${request.method} ${request.path}: ${error instanceof Error ? error.stack : String(error)}`,
      );
      answer = errorAnswer(mpError(ctx.now(), 500, 'internal_server_error', 'Internal server error').body);
    }
  }
  if (key !== undefined) keys.finish(key, { status: answer.status, body: answer.body });
  return answer;
};
