/**
 * The Mercado Pago REST client this project uses (no SDK: see NOTES.md on its idempotency-key leak).
 * Each method builds its request, lets the transport (http.ts) send and retry it, and reads the answer
 * through schemas.ts. A 2xx whose body cannot be read is `unexpected` for a read, but `unknown_outcome`
 * for a write: Mercado Pago did act, we only do not know how.
 */

import * as z from 'zod/mini';
import { parseJsonKeepingBigIntegers } from '../../model/json.ts';
import { type Logger, rootLogger } from '../../observability/logger.ts';
import type { Answered, CallOptions, MercadoPagoClient, WriteOptions } from '../../ports/mercadopago.ts';
import { MercadoPagoError, MpFailureKind, ORDER_CONFLICT_REFUSALS } from '../../ports/mercadopago-errors.ts';
import { createTransport, type MpRequest, type MpResponse, type TransportOptions } from './http.ts';
import {
  cancellationBody,
  chargebackBody,
  merchantOrderBody,
  orderBody,
  orderCancellationBody,
  orderRefundAnswerBody,
  paymentBody,
  qrOrderBody,
  refundBody,
  refundListBody,
  toCancellation,
  toChargeback,
  toCreateOrderBody,
  toMerchantOrder,
  toOrder,
  toOrderCancellation,
  toOrderRefundAnswer,
  toPayment,
  toQrOrder,
  toQrOrderRequestBody,
  toRefund,
} from './schemas.ts';

export type MercadoPagoClientOptions = TransportOptions;
export { closeSharedAgents } from './http.ts';

/** One path segment, percent-encoded; empty and dot segments would change the path's meaning. */
const segment = (name: string, value: string): string => {
  if (value === '' || value === '.' || value === '..')
    throw new TypeError(`${name} is not a valid path segment`);
  return encodeURIComponent(value);
};

const requireIdempotencyKey = (options: WriteOptions): string => {
  if (!options?.idempotencyKey) throw new TypeError('a Mercado Pago write needs an idempotency key');
  return options.idempotencyKey;
};

const MAX_ISSUES_IN_MESSAGE = 5;

const NOT_JSON = Symbol('not JSON');
/** Ids beyond 2^53 (chargeback cases) keep every digit. */
const parseJson = (text: string): unknown => {
  try {
    return parseJsonKeepingBigIntegers(text);
  } catch {
    return NOT_JSON;
  }
};

export const createMercadoPagoClient = (options: MercadoPagoClientOptions): MercadoPagoClient => {
  const send = createTransport(options);

  /** Parses a 2xx body; a body that does not fit is `unexpected` (read) or `unknown_outcome` (write). */
  const decode = <S extends z.ZodMiniType, T>(
    request: MpRequest,
    response: MpResponse,
    schema: S,
    normalize: (body: z.output<S>) => T,
    pick: (json: unknown) => unknown = (json) => json,
  ): T => {
    let problem: string;
    const json = parseJson(response.body);
    if (json === NOT_JSON) {
      problem = 'the body is not JSON';
    } else {
      const result = z.safeParse(schema, pick(json));
      if (result.success) return normalize(result.data);
      problem = result.error.issues
        .slice(0, MAX_ISSUES_IN_MESSAGE)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
    }
    const kind = request.write ? MpFailureKind.UnknownOutcome : MpFailureKind.Unexpected;
    const log: Logger = request.call?.log ?? options.log ?? rootLogger;
    log.warn('mercadopago answer not understood', {
      method: request.method,
      path: request.path,
      status: response.status,
      mpRequestId: response.upstreamRequestId,
      kind,
      problem,
    });
    return throwUnreadable(request, response, kind, problem);
  };

  const throwUnreadable = (
    request: MpRequest,
    response: MpResponse,
    kind: MpFailureKind,
    problem: string,
  ): never => {
    throw new MercadoPagoError(
      `Mercado Pago ${request.method} ${request.path}: ${response.status} answer not understood (${problem})`,
      {
        kind,
        httpStatus: response.status,
        upstreamRequestId: response.upstreamRequestId,
        attempts: response.attempts,
      },
    );
  };

  /** A read that answered about another resource: `unexpected` (502), flagged so callers can tell. */
  const throwAboutAnother = (request: MpRequest, response: MpResponse, what: string): never => {
    const log: Logger = request.call?.log ?? options.log ?? rootLogger;
    log.warn('mercadopago answered about another resource', {
      method: request.method,
      path: request.path,
      answeredAbout: what,
      mpRequestId: response.upstreamRequestId,
    });
    throw new MercadoPagoError(`Mercado Pago ${request.method} ${request.path}: answered about ${what}`, {
      kind: MpFailureKind.Unexpected,
      httpStatus: response.status,
      upstreamRequestId: response.upstreamRequestId,
      attempts: response.attempts,
      aboutAnotherResource: true,
    });
  };

  const withRequestId = <T extends object>(value: T, response: MpResponse): T & Answered =>
    response.upstreamRequestId ? { ...value, mercadoPagoRequestId: response.upstreamRequestId } : value;

  const qrOrderPath = (userId: string, externalPosId: string) =>
    `/instore/qr/seller/collectors/${segment('userId', userId)}/pos/${segment('externalPosId', externalPosId)}/orders`;

  return {
    async getPayment(paymentId: string, call?: CallOptions) {
      const request: MpRequest = {
        method: 'GET',
        path: `/v1/payments/${segment('paymentId', paymentId)}`,
        write: false,
        call,
      };
      const response = await send(request);
      const payment = decode(request, response, paymentBody, toPayment);
      // Nothing is ever written for another payment than the one asked for (API.md).
      if (payment.id !== paymentId) throwAboutAnother(request, response, `payment ${payment.id}`);
      return withRequestId(payment, response);
    },

    async createRefund(paymentId: string, amount: number | undefined, call: WriteOptions) {
      if (amount !== undefined && !(Number.isFinite(amount) && amount > 0)) {
        throw new RangeError('a refund amount must be a positive number');
      }
      const request: MpRequest = {
        method: 'POST',
        path: `/v1/payments/${segment('paymentId', paymentId)}/refunds`,
        body: amount === undefined ? {} : { amount },
        idempotencyKey: requireIdempotencyKey(call),
        // Pix refunds that cannot finish at once come back in_process instead of a 400 (NOTES.md).
        headers: { 'x-render-in-process-refunds': 'true' },
        write: true,
        call,
      };
      const response = await send(request);
      // Whose refund it is, is the caller's to check: the body's payment_id is kept as it came.
      return withRequestId(
        decode(request, response, refundBody, (body) => toRefund(body, null)),
        response,
      );
    },

    async listRefunds(paymentId: string, call?: CallOptions) {
      const request: MpRequest = {
        method: 'GET',
        path: `/v1/payments/${segment('paymentId', paymentId)}/refunds`,
        write: false,
        call,
      };
      return decode(request, await send(request), refundListBody, (bodies) =>
        bodies.map((body) => toRefund(body, paymentId)),
      );
    },

    async cancelPayment(paymentId: string, call: WriteOptions) {
      const request: MpRequest = {
        method: 'PUT',
        path: `/v1/payments/${segment('paymentId', paymentId)}`,
        body: { status: 'cancelled' },
        idempotencyKey: requireIdempotencyKey(call),
        write: true,
        call,
      };
      const response = await send(request);
      return withRequestId(decode(request, response, cancellationBody, toCancellation), response);
    },

    async getQrOrder(userId: string, externalPosId: string, call?: CallOptions) {
      const request: MpRequest = {
        method: 'GET',
        path: qrOrderPath(userId, externalPosId),
        write: false,
        acceptStatuses: [404],
        call,
      };
      const response = await send(request);
      if (response.status === 404) return null;
      // Documented both as one object and as an array of them: the first element is the order.
      const json = parseJson(response.body);
      if (Array.isArray(json) && json.length === 0) return null;
      return decode(request, response, qrOrderBody, toQrOrder, () => (Array.isArray(json) ? json[0] : json));
    },

    async putQrOrder(input, call: WriteOptions) {
      if (!Number.isInteger(input.ttlSeconds) || input.ttlSeconds <= 0) {
        throw new RangeError('ttlSeconds must be a positive whole number');
      }
      await send({
        method: 'PUT',
        path:
          input.externalStoreId === undefined
            ? qrOrderPath(input.userId, input.externalPosId)
            : `/instore/qr/seller/collectors/${segment('userId', input.userId)}` +
              `/stores/${segment('externalStoreId', input.externalStoreId)}` +
              `/pos/${segment('externalPosId', input.externalPosId)}/orders`,
        body: toQrOrderRequestBody(input.order),
        idempotencyKey: requireIdempotencyKey(call),
        headers: { 'x-ttl-store-preference': String(input.ttlSeconds) },
        write: true,
        call,
      });
    },

    async deleteQrOrder(userId: string, externalPosId: string, call?: CallOptions) {
      const response = await send({
        method: 'DELETE',
        path: qrOrderPath(userId, externalPosId),
        write: true,
        acceptStatuses: [404],
        call,
      });
      // A 404 after a try that may have gone through: that try most likely removed the order.
      return response.status !== 404 || response.earlierAttemptMayHaveActed;
    },

    async getMerchantOrder(merchantOrderId: string, call?: CallOptions) {
      const request: MpRequest = {
        method: 'GET',
        path: `/merchant_orders/${segment('merchantOrderId', merchantOrderId)}`,
        write: false,
        call,
      };
      return decode(request, await send(request), merchantOrderBody, toMerchantOrder);
    },

    async getChargeback(chargebackId: string, call?: CallOptions) {
      const request: MpRequest = {
        method: 'GET',
        path: `/v1/chargebacks/${segment('chargebackId', chargebackId)}`,
        write: false,
        call,
      };
      const response = await send(request);
      const chargeback = decode(request, response, chargebackBody, toChargeback);
      if (chargeback.id !== chargebackId) throwAboutAnother(request, response, `chargeback ${chargeback.id}`);
      return withRequestId(chargeback, response);
    },

    async createOrder(input, call: WriteOptions) {
      const request: MpRequest = {
        method: 'POST',
        path: '/v1/orders',
        body: toCreateOrderBody(input),
        idempotencyKey: requireIdempotencyKey(call),
        write: true,
        call,
      };
      const response = await send(request);
      return withRequestId(decode(request, response, orderBody, toOrder), response);
    },

    async getOrder(orderId: string, call?: CallOptions) {
      const request: MpRequest = {
        method: 'GET',
        path: `/v1/orders/${segment('orderId', orderId)}`,
        write: false,
        call,
      };
      const response = await send(request);
      const order = decode(request, response, orderBody, toOrder);
      // Nothing is ever written for another order than the one asked for (ids compared upper case).
      if (order.id.toUpperCase() !== orderId.toUpperCase())
        throwAboutAnother(request, response, `order ${order.id}`);
      return withRequestId(order, response);
    },

    async cancelOrder(orderId: string, call: WriteOptions) {
      const request: MpRequest = {
        method: 'POST',
        path: `/v1/orders/${segment('orderId', orderId)}/cancel`,
        idempotencyKey: requireIdempotencyKey(call),
        write: true,
        refusedConflicts: ORDER_CONFLICT_REFUSALS,
        call,
      };
      const response = await send(request);
      return withRequestId(decode(request, response, orderCancellationBody, toOrderCancellation), response);
    },

    async refundOrder(orderId: string, part, call: WriteOptions) {
      const request: MpRequest = {
        method: 'POST',
        path: `/v1/orders/${segment('orderId', orderId)}/refund`,
        // No body refunds everything left; a part names its transaction and amount.
        ...(part === undefined
          ? {}
          : { body: { transactions: [{ id: part.transactionId, amount: part.amount }] } }),
        idempotencyKey: requireIdempotencyKey(call),
        write: true,
        refusedConflicts: ORDER_CONFLICT_REFUSALS,
        call,
      };
      const response = await send(request);
      // Which refund of the answer is the caller's own is the caller's to decide (API.md).
      return withRequestId(decode(request, response, orderRefundAnswerBody, toOrderRefundAnswer), response);
    },
  };
};
