/**
 * The QR-order Lambda: GET, PUT and DELETE /pos/{externalPosId}/order.
 * Configuration is checked here, at cold start. QR orders also need the collector (MP_USER_ID) and the
 * notification URL (PUBLIC_WEBHOOK_URL), which the other routes do not: without them this function starts,
 * logs the missing variable, and its routes answer 500 naming it, so the rest of the API keeps serving.
 */

import { createQrOrderStore } from '../adapters/dynamodb/qr-order-store.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createHttpHandler } from '../http/create-http-handler.ts';
import { ProblemError } from '../http/problems.ts';
import { rootLogger } from '../observability/logger.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
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

/** The QR routes' dependencies, or why they cannot be served (a variable only QR orders need is missing). */
export const qrOrderDepsOrError = (runtime: Runtime): QrOrderDeps | ConfigError => {
  try {
    return qrOrderDeps(runtime);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
};

const deps = qrOrderDepsOrError(createRuntime(loadConfig()));
if (deps instanceof ConfigError)
  rootLogger.error('QR orders are not configured: their routes answer 500', { error: deps.message });

export const handler = createHttpHandler(
  qrOrderRoutes(async () => {
    if (deps instanceof ConfigError)
      throw new ProblemError('INTERNAL_ERROR', `QR orders are not configured: ${deps.message}`);
    return deps;
  }),
);
