/**
 * The cancellation Lambda: POST /payments/{paymentId}/cancellation.
 * Configuration is checked here, at cold start: a bad value fails the init, naming the variable.
 */
import { loadConfig } from '../config/config.ts';
import { createHttpHandler } from '../http/create-http-handler.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import type { CancellationDeps } from './deps.ts';
import { cancellationRoutes } from './routes.ts';

export const cancellationDeps = (runtime: Runtime): CancellationDeps => ({
  mercadoPago: runtime.mercadoPago,
  ledgers: runtime.ledgers,
  idempotency: runtime.idempotency,
  clock: runtime.clock,
  newId: runtime.newId,
  settings: runtime.settings,
  keyRetentionDays: runtime.config.keyRetentionDays,
});

const deps = cancellationDeps(createRuntime(loadConfig()));

export const handler = createHttpHandler(cancellationRoutes(async () => deps));
