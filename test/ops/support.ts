/** The operations routes over the harness, as the ops Lambda builds them, with a clock tests move. */
import { createLedgerQueries } from '../../functions/adapters/dynamodb/ledger-store.ts';
import { createReconciliationStore } from '../../functions/adapters/dynamodb/reconciliation-store.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import type { Clock } from '../../functions/model/clock.ts';
import type { OpsDeps } from '../../functions/ops/deps.ts';
import { opsRoutes } from '../../functions/ops/routes.ts';
import { orderReader, paymentReader } from '../../functions/ops/subjects.ts';
import { refundApi } from '../refunds/support.ts';
import { type Harness, invoke, newId, quietLogger } from '../support/harness.ts';

export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export const movableClock = (): MovableClock => {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
};

export const MINUTE = 60_000;

/** ATTENTION_AFTER_SECONDS of these tests: 5 minutes (the re-send window stays 10). */
export const ATTENTION_AFTER_MS = 5 * MINUTE;

export const opsApi = (h: Harness, clock: MovableClock, overrides: Partial<OpsDeps> = {}) => {
  const deps: OpsDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    clock,
    newId,
    settings: h.settings,
    keyRetentionDays: 30,
    attentionAfterMs: ATTENTION_AFTER_MS,
    queries: createLedgerQueries(h.dynamo, h.tableName),
    payments: paymentReader({ mercadoPago: h.mercadoPago, clock }),
    siteId: 'MLB',
    orders: orderReader({ mercadoPago: h.mercadoPago, clock, siteId: 'MLB' }),
    deadLetters: undefined,
    reconciliations: createReconciliationStore(h.dynamo, h.tableName),
    ...overrides,
  };
  const handler = createHttpHandler(
    opsRoutes(async () => deps),
    { logger: quietLogger, clock },
  );
  let keys = 0;
  return {
    deps,
    handler,
    refunds: refundApi(h, { clock }),
    attention: (cursor?: string) =>
      invoke(handler, {
        method: 'GET',
        path: `/ops/attention${cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`}`,
      }),
    history: (subject: string, cursor?: string) =>
      invoke(handler, {
        method: 'GET',
        path: `${subject}/history${cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`}`,
      }),
    recheck: (subject: string) => invoke(handler, { method: 'POST', path: `${subject}/recheck` }),
    resolveRefund: (subject: string, refundId: string, body: unknown, key = `ops-${Date.now()}-${++keys}`) =>
      invoke(handler, {
        method: 'POST',
        path: `${subject}/refunds/${refundId}/resolution`,
        body,
        headers: { 'Idempotency-Key': key },
      }),
    resolveCancellation: (subject: string, body: unknown, key = `ops-${Date.now()}-${++keys}`) =>
      invoke(handler, {
        method: 'POST',
        path: `${subject}/cancellation/resolution`,
        body,
        headers: { 'Idempotency-Key': key },
      }),
  };
};
