/** What the QR-order routes need, injected so tests and the local server can give their own. */

import { ConfigError } from '../config/fields.ts';
import { ProblemError } from '../http/problems.ts';
import type { Clock } from '../model/clock.ts';
import type { SiteId } from '../model/money.ts';
import { rootLogger } from '../observability/logger.ts';
import type { LedgerDeps, MercadoPagoDeps, OrderDefaults } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import type { MercadoPagoClient } from '../ports/mercadopago.ts';
import type { QrOrderStore } from '../ports/qr-order-store.ts';
import type { TillStore } from '../ports/till-store.ts';
import {
  createRuntime,
  keyedRequestDepsOf,
  ledgerDepsOf,
  mercadoPagoClientOf,
  qrOrderStoreOf,
  type Runtime,
  tillStoreOf,
} from '../runtime/runtime.ts';
import type { QrOrdersConfig } from './config.ts';

/** QR_API=instore (the default): the legacy instore orders API. */
export interface InstoreQrDeps {
  qrApi?: 'instore';
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

/** QR_API=orders: the Orders API, the till -> order map, and a ledger per till order. */
export interface TillOrderDeps extends LedgerDeps, MercadoPagoDeps, KeyedRequestDeps, OrderDefaults {
  qrApi: 'orders';
  tills: TillStore;
}

export type QrOrderDeps = InstoreQrDeps | TillOrderDeps;

/** The QR routes' dependencies, or why they cannot be served (a variable only instore QR needs is missing). */
export const qrOrderDeps = (
  config: QrOrdersConfig,
  runtime: Runtime = createRuntime(config.storage),
): QrOrderDeps | ConfigError => {
  if (config.qrApi === 'orders') {
    return {
      qrApi: 'orders',
      ...ledgerDepsOf(runtime, config.settlement),
      ...keyedRequestDepsOf(runtime, config.keyRetentionDays),
      mercadoPago: mercadoPagoClientOf(runtime, config.mercadoPago),
      tills: tillStoreOf(runtime),
      siteId: config.siteId,
    };
  }
  if (config.tills instanceof ConfigError) return config.tills;
  return {
    qrApi: 'instore',
    mercadoPago: mercadoPagoClientOf(runtime, config.mercadoPago),
    qrOrders: qrOrderStoreOf(runtime),
    clock: runtime.clock,
    userId: config.tills.userId,
    defaultStoreId: config.defaultStoreId,
    siteId: config.siteId,
    notificationUrl: config.tills.notificationUrl,
  };
};

/** The routes' deps getter: the deps, or (logged once at cold start) a 500 naming the missing variable. */
export const servedOrUnconfigured = (deps: QrOrderDeps | ConfigError): (() => Promise<QrOrderDeps>) => {
  if (!(deps instanceof ConfigError)) return async () => deps;
  rootLogger.error('QR orders are not configured: their routes answer 500', { error: deps.message });
  return async () => {
    throw new ProblemError('INTERNAL_ERROR', `QR orders are not configured: ${deps.message}`);
  };
};
