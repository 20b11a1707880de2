/** What the reports routes need: they read the table only (no Mercado Pago call, no write). */
import { createLedgerStore } from '../adapters/dynamodb/ledger-store.ts';
import type { Clock } from '../model/clock.ts';
import type { LedgerStore } from '../ports/ledger-store.ts';
import type { ReconciliationStore } from '../ports/reconciliation-store.ts';
import type { RefundIndex } from '../ports/refund-index.ts';
import { createRuntime, type Runtime, reportStoresOf } from '../runtime/runtime.ts';
import type { ReportsConfig } from './config.ts';

export interface ReportsRouteDeps {
  ledgers: Pick<LedgerStore, 'getMany'>;
  index: RefundIndex;
  reconciliations: Pick<ReconciliationStore, 'getDay' | 'discrepancies'>;
  clock: Clock;
  graceDays: number;
}

export const reportsDeps = (
  config: ReportsConfig,
  runtime: Runtime = createRuntime(config.storage),
): ReportsRouteDeps => ({
  ledgers: createLedgerStore(runtime.dynamo, runtime.tableName),
  ...reportStoresOf(runtime),
  clock: runtime.clock,
  graceDays: config.graceDays,
});
