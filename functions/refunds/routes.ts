/** The refund function's routes: thin adapters from HTTP to the refund service. */

import { readIdempotencyKey, readPaymentId } from '../http/parameters.ts';
import type { Routes } from '../http/types.ts';
import { parseWith } from '../http/validation.ts';
import { CREATE_REFUND_ROUTE, createRefund } from './create-refund.ts';
import type { RefundDeps } from './deps.ts';
import { getRefund, listRefunds } from './read-refunds.ts';
import { createRefundBodySchema, refundIdSchema } from './schemas.ts';

export const refundRoutes = (deps: () => Promise<RefundDeps>): Routes => ({
  [CREATE_REFUND_ROUTE]: async (req) => {
    const paymentId = readPaymentId(req);
    const idempotencyKey = readIdempotencyKey(req, { required: true });
    // Only an absent body means `{}`: a JSON `null` is a bad body, never "refund everything left".
    const body = parseWith(createRefundBodySchema, req.body === undefined ? {} : req.body, 'body');
    return createRefund(await deps(), {
      paymentId,
      idempotencyKey,
      amount: body.amount,
      reason: body.reason,
      externalReference: body.externalReference,
      caller: req.caller,
      requestId: req.requestId,
      deadline: req.deadline,
      log: req.log,
    });
  },
  'GET /payments/{paymentId}/refunds': async (req) =>
    listRefunds(await deps(), { paymentId: readPaymentId(req), deadline: req.deadline, log: req.log }),
  'GET /payments/{paymentId}/refunds/{refundId}': async (req) =>
    getRefund(await deps(), {
      paymentId: readPaymentId(req),
      refundId: parseWith(refundIdSchema, req.pathParameters.refundId, 'refundId'),
    }),
});
