/** What the QR-order routes need, injected so tests and the local server can give their own. */

import type { QrOrderStore } from '../adapters/dynamodb/qr-order-store.ts';
import type { Clock } from '../model/clock.ts';
import type { SiteId } from '../model/money.ts';
import type { MercadoPagoClient } from '../ports/mercadopago.ts';

export interface QrOrderDeps {
  mercadoPago: MercadoPagoClient;
  qrOrders: QrOrderStore;
  clock: Clock;
  /** The collector (MP_USER_ID) whose tills these are. */
  userId: string;
  /** MP_EXTERNAL_STORE_ID: the store of orders whose body names none. */
  defaultStoreId: string | undefined;
  /** MP_SITE_ID: its currency is the orders' currency. */
  siteId: SiteId;
  /** PUBLIC_WEBHOOK_URL: sent as each order's notification_url, so its payment is tracked. */
  notificationUrl: string;
}
