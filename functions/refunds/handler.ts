/**
 * The refund Lambda: POST/GET /payments/{paymentId}/refunds and GET .../refunds/{refundId}.
 * Configuration is checked here, at cold start: a bad value fails the init, naming the variable.
 */
import { loadConfig } from '../config/config.ts';
import { createHttpHandler } from '../http/create-http-handler.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import type { RefundDeps } from './deps.ts';
import { refundRoutes } from './routes.ts';

export const refundDeps = (runtime: Runtime): RefundDeps => ({
  mercadoPago: runtime.mercadoPago,
  ledgers: runtime.ledgers,
  idempotency: runtime.idempotency,
  clock: runtime.clock,
  newId: runtime.newId,
  settings: runtime.settings,
  keyRetentionDays: runtime.config.keyRetentionDays,
  refundWindow: runtime.config.refundWindow,
});

const deps = refundDeps(createRuntime(loadConfig()));

export const handler = createHttpHandler(refundRoutes(async () => deps));
