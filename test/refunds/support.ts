import type { RefundDeps } from '../../functions/refunds/deps.ts';
import { refundRoutes } from '../../functions/refunds/routes.ts';
import { createHttpHandler } from '../../functions/shared/http/create-http-handler.ts';
import type { LedgerEvent } from '../../functions/shared/ledger/ledger.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { type Harness, invoke, newId, refundWindow } from '../support/harness.ts';

const quiet = createLogger({ level: 'error', sink: () => undefined });

export const refundApi = (h: Harness, overrides: Partial<RefundDeps> = {}) => {
  const events: { paymentId: string; events: readonly LedgerEvent[] }[] = [];
  const deps: RefundDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    clock: h.clock,
    refundWindow,
    newId,
    onLedgerEvents: async (paymentId, list) => {
      events.push({ paymentId, events: list });
    },
    ...overrides,
  };
  const handler = createHttpHandler(
    refundRoutes(async () => deps),
    { logger: quiet },
  );
  let keys = 0;
  return {
    deps,
    events,
    handler,
    refund: (paymentId: string, body?: unknown, key: string | null = `key-${Date.now()}-${++keys}`) =>
      invoke(handler, {
        method: 'POST',
        path: `/payments/${paymentId}/refunds`,
        ...(body === undefined ? {} : { body }),
        headers: key === null ? {} : { 'Idempotency-Key': key },
      }),
    list: (paymentId: string) => invoke(handler, { method: 'GET', path: `/payments/${paymentId}/refunds` }),
    get: (paymentId: string, refundId: string) =>
      invoke(handler, { method: 'GET', path: `/payments/${paymentId}/refunds/${refundId}` }),
  };
};

export const daysAgo = (days: number) => Date.now() - days * 86_400_000;

/** Refund POSTs the sandbox received (Mercado Pago refund calls). */
export const refundCalls = (h: Harness, paymentId?: string) =>
  h.sandbox.requests({
    method: 'POST',
    path: paymentId ? new RegExp(`/v1/payments/${paymentId}/refunds$`) : /\/refunds$/,
  });
