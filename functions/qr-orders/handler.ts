/**
 * The QR-order Lambda: GET, PUT and DELETE /pos/{externalPosId}/order.
 * Configuration is checked here, at cold start: QR orders need the collector (MP_USER_ID) and the
 * notification URL (PUBLIC_WEBHOOK_URL); a missing one fails the init, naming the variable.
 */
import { ConfigError, loadConfig } from '../shared/config.ts';
import { createHttpHandler } from '../shared/http/create-http-handler.ts';
import { createRuntime, type Runtime } from '../shared/runtime.ts';
import { createQrOrderStore } from '../shared/storage/qr-order-store.ts';
import type { QrOrderDeps } from './deps.ts';
import { qrOrderRoutes } from './routes.ts';

export const qrOrderDeps = (runtime: Runtime): QrOrderDeps => {
  const { userId, externalStoreId, siteId } = runtime.config.mercadoPago;
  if (userId === undefined) throw new ConfigError('MP_USER_ID', 'is required for QR orders');
  const notificationUrl = runtime.config.webhook.publicUrl;
  if (notificationUrl === undefined) throw new ConfigError('PUBLIC_WEBHOOK_URL', 'is required for QR orders');
  return {
    mercadoPago: runtime.mercadoPago,
    qrOrders: createQrOrderStore(runtime.dynamo, runtime.config.tableName),
    clock: runtime.clock,
    userId,
    defaultStoreId: externalStoreId,
    siteId,
    notificationUrl,
  };
};

const deps = qrOrderDeps(createRuntime(loadConfig()));

export const handler = createHttpHandler(qrOrderRoutes(async () => deps));
