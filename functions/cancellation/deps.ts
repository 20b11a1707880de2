/** What the cancellation route needs, injected so tests and the local server can give their own. */
import type { Clock } from '../shared/clock.ts';
import type { LedgerEventsHandler } from '../shared/events/ledger-events.ts';
import type { MercadoPagoClient } from '../shared/mercadopago/types.ts';
import type { IdempotencyStore } from '../shared/storage/idempotency-store.ts';
import type { LedgerStore } from '../shared/storage/ledger-store.ts';

export interface CancellationDeps {
  mercadoPago: MercadoPagoClient;
  ledgers: LedgerStore;
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: (prefix: string) => string;
  /** Events out of what a ledger write changed (ledgerEventsHandler: logs its failures, never throws). */
  onLedgerEvents?: LedgerEventsHandler;
}
