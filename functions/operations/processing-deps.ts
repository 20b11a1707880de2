/** What processing a notification (processor, inline webhook) needs, injected. */

import type { QrOrderStore } from '../ports/qr-order-store.ts';
import type { TillStore } from '../ports/till-store.ts';
import type { LedgerDeps, MercadoPagoDeps, OrderDefaults } from './deps.ts';

export interface ProcessingDeps extends LedgerDeps, MercadoPagoDeps, OrderDefaults {
  qrOrders: Pick<QrOrderStore, 'get' | 'markStatus'>;
  /** The tills' orders (QR_API=orders): an order whose create answer was lost is adopted by its till. */
  tills: TillStore;
  /** The seller (MP_USER_ID): payments of another collector are ignored. */
  userId: string | undefined;
}
