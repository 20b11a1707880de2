import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import type { ReconcileDeps } from '../../functions/reconcile/deps.ts';
import type { RefundDeps } from '../../functions/refunds/deps.ts';
import { refundRoutes } from '../../functions/refunds/routes.ts';
import { type Harness, invoke, newId, quietLogger, refundWindow } from '../support/harness.ts';

/** The refund routes over the harness, as the refunds Lambda builds them. */
export const refundApi = (h: Harness, overrides: Partial<RefundDeps> = {}) => {
  const deps: RefundDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    clock: h.clock,
    newId,
    settings: h.settings,
    keyRetentionDays: 30,
    refundWindow,
    ...overrides,
  };
  const handler = createHttpHandler(
    refundRoutes(async () => deps),
    { logger: quietLogger },
  );
  let keys = 0;
  return {
    deps,
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

/** Events out about one payment (published through the outbox). */
export const eventsOf = (h: Harness, paymentId: string) =>
  h.events().filter((e) => (e.detail as { paymentId?: string }).paymentId === paymentId);

/** The reconciliation job's deps over the harness, its clock at `nowMs` (e.g. past RECONCILE_PENDING_AFTER). */
export const reconcileWith = (
  h: Harness,
  nowMs: number | (() => number),
  overrides: Partial<ReconcileDeps> = {},
): ReconcileDeps => ({
  mercadoPago: h.mercadoPago,
  ledgers: h.ledgers,
  refundSweep: h.refundSweep,
  clock: { now: typeof nowMs === 'number' ? () => nowMs : nowMs },
  newId,
  settings: h.settings,
  userId: undefined,
  siteId: 'MLB',
  attentionAfterMs: 86_400_000,
  ...overrides,
});
