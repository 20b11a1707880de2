/** What processing a notification (processor, inline webhook, reconciliation) needs, injected. */
import type { Clock } from '../clock.ts';
import type { EventPublisher } from '../events/publisher.ts';
import type { MercadoPagoClient } from '../mercadopago/types.ts';
import type { LedgerStore } from '../storage/ledger-store.ts';
import type { QrOrderStore } from '../storage/qr-order-store.ts';

export interface ProcessingDeps {
  mercadoPago: MercadoPagoClient;
  ledgers: LedgerStore;
  qrOrders: Pick<QrOrderStore, 'get' | 'markStatus'>;
  publisher: EventPublisher;
  clock: Clock;
  newId: (prefix: string) => string;
  /** The seller (MP_USER_ID): payments of another collector are ignored. */
  userId: string | undefined;
}
