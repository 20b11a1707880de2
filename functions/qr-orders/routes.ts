/** The QR-order function's routes: thin adapters from HTTP to the QR-order service. */
import { readExternalPosId } from '../http/parameters.ts';
import type { Routes } from '../http/types.ts';
import { parseBody } from '../http/validation.ts';
import type { QrOrderDeps } from './deps.ts';
import { deleteQrOrder, getQrOrder, putQrOrder } from './qr-order-service.ts';
import { putQrOrderBodySchema } from './schemas.ts';

export const qrOrderRoutes = (deps: () => Promise<QrOrderDeps>): Routes => ({
  'GET /pos/{externalPosId}/order': async (req) =>
    getQrOrder(await deps(), { externalPosId: readExternalPosId(req), deadline: req.deadline, log: req.log }),
  'PUT /pos/{externalPosId}/order': async (req) => {
    const externalPosId = readExternalPosId(req);
    const body = parseBody(putQrOrderBodySchema, req.body);
    return putQrOrder(await deps(), { externalPosId, body, deadline: req.deadline, log: req.log });
  },
  'DELETE /pos/{externalPosId}/order': async (req) =>
    deleteQrOrder(await deps(), {
      externalPosId: readExternalPosId(req),
      deadline: req.deadline,
      log: req.log,
    }),
});
