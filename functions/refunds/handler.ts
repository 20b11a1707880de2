/**
 * The refund Lambda: POST/GET /payments/{paymentId}/refunds and GET .../refunds/{refundId}.
 * Configuration is checked here, at cold start: a bad value fails the init, naming the variable.
 */
import { loadConfig } from '../shared/config.ts';
import { createHttpHandler } from '../shared/http/create-http-handler.ts';
import { createRuntime } from '../shared/runtime.ts';
import type { RefundDeps } from './deps.ts';
import { refundRoutes } from './routes.ts';

const runtime = createRuntime(loadConfig());

export const refundDeps = (): RefundDeps => ({
  mercadoPago: runtime.mercadoPago,
  ledgers: runtime.ledgers,
  idempotency: runtime.idempotency,
  clock: runtime.clock,
  refundWindow: runtime.config.refundWindow,
  newId: runtime.newId,
  onLedgerEvents: runtime.onLedgerEvents,
});

const deps = refundDeps();

export const handler = createHttpHandler(refundRoutes(async () => deps));
