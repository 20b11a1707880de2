/** What the refund routes need, injected so tests and the local server can give their own. */
import type { Clock } from '../shared/clock.ts';
import type { RefundWindow } from '../shared/config.ts';
import type { LedgerEvent } from '../shared/ledger/ledger.ts';
import type { PaymentLedger } from '../shared/ledger/types.ts';
import type { Logger } from '../shared/logger.ts';
import type { MercadoPagoClient } from '../shared/mercadopago/types.ts';
import type { IdempotencyStore } from '../shared/storage/idempotency-store.ts';
import type { LedgerStore } from '../shared/storage/ledger-store.ts';

export interface RefundDeps {
  mercadoPago: MercadoPagoClient;
  ledgers: LedgerStore;
  idempotency: IdempotencyStore;
  clock: Clock;
  refundWindow: RefundWindow;
  newId: (prefix: string) => string;
  /**
   * Called with what changed in a payment's ledger (events out) and the ledger that write stored;
   * failures are logged, never thrown.
   */
  onLedgerEvents?: (
    paymentId: string,
    events: readonly LedgerEvent[],
    log: Logger,
    ledger?: PaymentLedger,
  ) => Promise<void>;
}
