/** The cancellation function's route: a thin adapter from HTTP to the cancellation service. */
import { readIdempotencyKey, readPaymentId } from '../http/parameters.ts';
import type { Routes } from '../http/types.ts';
import { parseBody } from '../http/validation.ts';
import { CANCEL_ROUTE, cancelPayment } from './cancel-payment.ts';
import type { CancellationDeps } from './deps.ts';
import { cancellationBodySchema } from './schemas.ts';

export const cancellationRoutes = (deps: () => Promise<CancellationDeps>): Routes => ({
  [CANCEL_ROUTE]: async (req) => {
    const paymentId = readPaymentId(req);
    const idempotencyKey = readIdempotencyKey(req, { required: false });
    parseBody(cancellationBodySchema, req.body);
    return cancelPayment(await deps(), {
      paymentId,
      idempotencyKey,
      caller: req.caller,
      requestId: req.requestId,
      deadline: req.deadline,
      log: req.log,
    });
  },
});
