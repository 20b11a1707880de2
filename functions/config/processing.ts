/**
 * The configuration of notification processing and reconciliation (settling ledgers from Mercado Pago's
 * reads): the notification processor, the reconciliation job, and the webhook when it processes inline.
 */

import type { SiteId } from '../model/money.ts';
import type { SettlementSettings } from '../model/settings.ts';
import {
  type Env,
  type MercadoPagoAccess,
  readMercadoPagoAccess,
  readSettlement,
  readSiteId,
  readStorage,
  readUserId,
  type StorageConfig,
} from './fields.ts';

export interface ProcessingConfig {
  storage: StorageConfig;
  mercadoPago: MercadoPagoAccess;
  settlement: SettlementSettings;
  /** MP_USER_ID: notifications about another seller are ignored. */
  userId: string | undefined;
  /** MP_SITE_ID: the currency of an order whose answer names none (nor a site implying one). */
  siteId: SiteId;
}

export const readProcessing = (env: Env): ProcessingConfig => ({
  storage: readStorage(env),
  mercadoPago: readMercadoPagoAccess(env),
  settlement: readSettlement(env),
  userId: readUserId(env),
  siteId: readSiteId(env),
});
