/** The operations function's routes (API.md, "Operations"): thin adapters from HTTP to the use cases. */
import { readIdempotencyKey, readRefundId } from '../http/parameters.ts';
import type { HttpRequest, Routes } from '../http/types.ts';
import { parseBody } from '../http/validation.ts';
import { listAttention } from './attention.ts';
import type { OpsDeps } from './deps.ts';
import { readHistory } from './history.ts';
import { recheck } from './recheck.ts';
import { resolveCancellationRoute, resolveRefundRoute } from './resolve.ts';
import {
  cancellationResolutionBodySchema,
  recheckBodySchema,
  refundResolutionBodySchema,
} from './schemas.ts';
import { subjectOf } from './subject.ts';

export const opsRoutes = (deps: () => Promise<OpsDeps>): Routes => {
  const history = async (req: HttpRequest) =>
    readHistory(await deps(), { subject: subjectOf(req), cursor: req.query.cursor });
  const recheckRoute = async (req: HttpRequest) => {
    parseBody(recheckBodySchema, req.body);
    return recheck(await deps(), {
      subject: subjectOf(req),
      caller: req.caller,
      deadline: req.deadline,
      log: req.log,
    });
  };
  const keyed = (req: HttpRequest) => ({
    subject: subjectOf(req),
    idempotencyKey: readIdempotencyKey(req, { required: true }),
    caller: req.caller,
    requestId: req.requestId,
    deadline: req.deadline,
    log: req.log,
  });
  const refundResolution = async (req: HttpRequest) => {
    const request = { ...keyed(req), refundId: readRefundId(req) };
    const body = parseBody(refundResolutionBodySchema, req.body);
    return resolveRefundRoute(await deps(), { ...request, body });
  };
  const cancellationResolution = async (req: HttpRequest) => {
    const request = keyed(req);
    const body = parseBody(cancellationResolutionBodySchema, req.body);
    return resolveCancellationRoute(await deps(), { ...request, body });
  };
  return {
    'GET /ops/attention': async (req) =>
      listAttention(await deps(), { cursor: req.query.cursor, log: req.log }),
    'GET /payments/{paymentId}/history': history,
    'GET /orders/{orderId}/history': history,
    'POST /payments/{paymentId}/recheck': recheckRoute,
    'POST /orders/{orderId}/recheck': recheckRoute,
    'POST /payments/{paymentId}/refunds/{refundId}/resolution': refundResolution,
    'POST /orders/{orderId}/refunds/{refundId}/resolution': refundResolution,
    'POST /payments/{paymentId}/cancellation/resolution': cancellationResolution,
    'POST /orders/{orderId}/cancellation/resolution': cancellationResolution,
  };
};
