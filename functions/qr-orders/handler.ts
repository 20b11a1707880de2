/** The QR-order Lambda: GET, PUT and DELETE /pos/{externalPosId}/order. */
import { createHttpHandler } from '../http/create-http-handler.ts';
import { loadQrOrdersConfig } from './config.ts';
import { qrOrderDeps, servedOrUnconfigured } from './deps.ts';
import { qrOrderRoutes } from './routes.ts';

const deps = qrOrderDeps(loadQrOrdersConfig());
export const handler = createHttpHandler(qrOrderRoutes(servedOrUnconfigured(deps)));
