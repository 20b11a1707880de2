/** The QR-order function's routes: thin adapters from HTTP to the instore or the Orders API till service. */
import { readExternalPosId, readIdempotencyKey } from '../http/parameters.ts';
import type { Routes } from '../http/types.ts';
import { parseBody } from '../http/validation.ts';
import type { QrOrderDeps } from './deps.ts';
import { deleteQrOrder, getQrOrder, putQrOrder } from './qr-order-service.ts';
import { putQrOrderBodySchema } from './schemas.ts';
import { deleteTillOrder, getTillOrder, putTillOrder } from './till-orders.ts';

export const qrOrderRoutes = (deps: () => Promise<QrOrderDeps>): Routes => ({
  'GET /pos/{externalPosId}/order': async (req) => {
    const input = { externalPosId: readExternalPosId(req), deadline: req.deadline, log: req.log };
    const served = await deps();
    return served.qrApi === 'orders'
      ? getTillOrder(served, { ...input, caller: req.caller, requestId: req.requestId })
      : getQrOrder(served, input);
  },
  'PUT /pos/{externalPosId}/order': async (req) => {
    const externalPosId = readExternalPosId(req);
    const body = parseBody(putQrOrderBodySchema, req.body);
    const served = await deps();
    if (served.qrApi !== 'orders')
      return putQrOrder(served, { externalPosId, body, deadline: req.deadline, log: req.log });
    return putTillOrder(served, {
      externalPosId,
      body,
      idempotencyKey: readIdempotencyKey(req, { required: false }),
      caller: req.caller,
      requestId: req.requestId,
      deadline: req.deadline,
      log: req.log,
    });
  },
  'DELETE /pos/{externalPosId}/order': async (req) => {
    const input = { externalPosId: readExternalPosId(req), deadline: req.deadline, log: req.log };
    const served = await deps();
    return served.qrApi === 'orders'
      ? deleteTillOrder(served, { ...input, caller: req.caller, requestId: req.requestId })
      : deleteQrOrder(served, input);
  },
});
