/** What the operations need, injected: the stores, Mercado Pago, the clock, ids and the settlement windows. */

import type { Actor } from '../model/actor.ts';
import type { Clock } from '../model/clock.ts';
import { isoAt } from '../model/clock.ts';
import type { SiteId } from '../model/money.ts';
import type { RuleContext, SettlementSettings } from '../model/settings.ts';
import type { LedgerStore } from '../ports/ledger-store.ts';
import type { MercadoPagoClient } from '../ports/mercadopago.ts';
import type { ConflictPolicy } from './update-ledger.ts';

export interface LedgerDeps {
  ledgers: LedgerStore;
  clock: Clock;
  newId: (prefix: string) => string;
  settings: SettlementSettings;
  /** How conflicting ledger writes back off (tests inject a sleep). */
  conflicts?: ConflictPolicy;
}

export interface MercadoPagoDeps {
  mercadoPago: MercadoPagoClient;
}

/** What order reads need besides the order: MP_SITE_ID, whose currency an order naming none is in. */
export interface OrderDefaults {
  siteId: SiteId;
}

export const ruleContext = (
  deps: Pick<LedgerDeps, 'clock' | 'newId' | 'settings'>,
  by: Actor,
): RuleContext => ({
  now: isoAt(deps.clock.now()),
  by,
  newRefundId: () => deps.newId('rf'),
  settings: deps.settings,
});
