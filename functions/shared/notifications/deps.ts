/** What processing a notification (processor, inline webhook) needs, injected. */
import type { LedgerDeps, MercadoPagoDeps } from '../../operations/deps.ts';
import type { QrOrderStore } from '../storage/qr-order-store.ts';

export interface ProcessingDeps extends LedgerDeps, MercadoPagoDeps {
  qrOrders: Pick<QrOrderStore, 'get' | 'markStatus'>;
  /** The seller (MP_USER_ID): payments of another collector are ignored. */
  userId: string | undefined;
}
