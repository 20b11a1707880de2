/** The order function's routes: thin adapters from HTTP to the order refund and cancellation use cases. */

import { readIdempotencyKey, readOrderId, refundIdSchema } from '../http/parameters.ts';
import type { Routes } from '../http/types.ts';
import { parseBody, parseWith } from '../http/validation.ts';
import { CANCEL_ORDER_ROUTE, cancelOrderRoute } from './cancel-order.ts';
import { CREATE_ORDER_REFUND_ROUTE, createOrderRefund } from './create-order-refund.ts';
import type { OrderDeps } from './deps.ts';
import { getOrderRefund, listOrderRefunds } from './read-order-refunds.ts';
import { createOrderRefundBodySchema, orderCancellationBodySchema } from './schemas.ts';

export const orderRoutes = (deps: () => Promise<OrderDeps>): Routes => ({
  [CREATE_ORDER_REFUND_ROUTE]: async (req) => {
    const orderId = readOrderId(req);
    const idempotencyKey = readIdempotencyKey(req, { required: true });
    // Only an absent body means `{}`: a JSON `null` is a bad body, never "refund everything left".
    const body = parseWith(createOrderRefundBodySchema, req.body === undefined ? {} : req.body, 'body');
    return createOrderRefund(await deps(), {
      orderId,
      idempotencyKey,
      amount: body.amount,
      reason: body.reason,
      externalReference: body.externalReference,
      transactionId: body.transactionId,
      caller: req.caller,
      requestId: req.requestId,
      deadline: req.deadline,
      log: req.log,
    });
  },
  'GET /orders/{orderId}/refunds': async (req) =>
    listOrderRefunds(await deps(), { orderId: readOrderId(req), deadline: req.deadline, log: req.log }),
  'GET /orders/{orderId}/refunds/{refundId}': async (req) =>
    getOrderRefund(await deps(), {
      orderId: readOrderId(req),
      refundId: parseWith(refundIdSchema, req.pathParameters.refundId, 'refundId'),
    }),
  [CANCEL_ORDER_ROUTE]: async (req) => {
    const orderId = readOrderId(req);
    const idempotencyKey = readIdempotencyKey(req, { required: false });
    parseBody(orderCancellationBodySchema, req.body);
    return cancelOrderRoute(await deps(), {
      orderId,
      idempotencyKey,
      caller: req.caller,
      requestId: req.requestId,
      deadline: req.deadline,
      log: req.log,
    });
  },
});
