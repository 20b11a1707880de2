/** What processing a notification (processor, inline webhook) needs, injected. */

import type { QrOrderStore } from '../ports/qr-order-store.ts';
import type { LedgerDeps, MercadoPagoDeps, OrderDefaults } from './deps.ts';

export interface ProcessingDeps extends LedgerDeps, MercadoPagoDeps, OrderDefaults {
  qrOrders: Pick<QrOrderStore, 'get' | 'markStatus'>;
  /** The seller (MP_USER_ID): payments of another collector are ignored. */
  userId: string | undefined;
}
