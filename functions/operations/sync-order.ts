/**
 * Bringing an order's ledger up to date with Mercado Pago (the order routes, the till routes, `order`
 * notifications, reconciliation): one read of the order (`GET /v1/orders/{id}`), applied under the
 * settlement rules, exactly as sync-payment.ts does for payments. A read that brings no news writes
 * nothing; an `order` delivery no newer than what the ledger recorded (`data.version`) reads nothing.
 */

import type { Actor } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { must } from '../model/invariant.ts';
import { type LedgerChange, type LedgerEvent, unchanged } from '../model/ledger/change.ts';
import { applyOrderRead, isStaleDelivery } from '../model/ledger/order-read.ts';
import type { Ledger } from '../model/ledger/types.ts';
import { SITE_CURRENCY, type SiteId } from '../model/money.ts';
import type { RuleContext } from '../model/settings.ts';
import type { Logger } from '../observability/logger.ts';
import type { MpOrder } from '../ports/mercadopago.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import { type LedgerDeps, type MercadoPagoDeps, type OrderDefaults, ruleContext } from './deps.ts';
import { observeEvents } from './observe.ts';
import { describe } from './sync-payment.ts';
import { updateLedger } from './update-ledger.ts';

export type OrderSync =
  | { kind: 'not_found' }
  /** Another seller's order this service keeps no ledger for. */
  | { kind: 'other_seller'; userId: string }
  /** Neither stored nor refunded: nothing to keep (nothing written). */
  | { kind: 'untracked'; order: MpOrder }
  /** The delivery is no newer than what the ledger recorded: nothing read, nothing written. */
  | { kind: 'stale' }
  | {
      kind: 'synced';
      order: MpOrder;
      ledger: Ledger;
      events: readonly LedgerEvent[];
      written: boolean;
      held: string[];
    };

export interface OrderSyncOptions {
  by: Actor;
  log: Logger;
  deadline?: number;
  /** The seller (MP_USER_ID): an order of another seller is only followed when a ledger exists. */
  userId?: string | undefined;
  /** The `data.version` of the delivery that asked for this sync. */
  version?: number;
  /** The ledger its caller has just read: not read again (sync-payment.ts, SyncOptions.known). */
  known?: { ledger: Ledger | undefined };
  /** This service put the order on this till. */
  till?: string;
  /**
   * An order without a ledger that this service may have put on a till after all (its create answer was
   * lost): the till it adopts it under, if any.
   */
  tillOf?: (order: MpOrder) => Promise<string | undefined>;
}

export interface OrderRead {
  order: MpOrder;
  at: string;
}

export const readOrder = async (
  deps: MercadoPagoDeps & Pick<LedgerDeps, 'clock'>,
  orderId: string,
  options: { log: Logger; deadline?: number | undefined },
): Promise<OrderRead> => {
  const order = await deps.mercadoPago.getOrder(orderId, { log: options.log, deadline: options.deadline });
  return { order, at: isoAt(deps.clock.now()) };
};

/**
 * A read of the order applied to its ledger under the settlement rules, in the currency of the order (or,
 * when its answer names none, of MP_SITE_ID); no read (an order Mercado Pago no longer serves) changes
 * nothing. What every write after an order read starts from.
 */
export const orderReadChange = (
  current: Ledger | undefined,
  read: OrderRead | undefined,
  context: RuleContext,
  siteId: SiteId,
): LedgerChange<unknown> =>
  read
    ? applyOrderRead(
        current,
        { facts: read.order, at: read.at, requestId: read.order.mercadoPagoRequestId },
        context,
        { defaultCurrency: SITE_CURRENCY[siteId] },
      )
    : unchanged(undefined);

/** Applies a read already made (the order routes read once, then sync and reserve in one write). */
export const applyOrderReadTo = async (
  deps: LedgerDeps & OrderDefaults,
  known: Ledger | undefined,
  read: OrderRead,
  by: Actor,
  options: { till?: string | undefined; version?: number | undefined } = {},
) =>
  updateLedger(
    deps.ledgers,
    read.order.id,
    known,
    (current) =>
      applyOrderRead(
        current,
        { facts: read.order, at: read.at, requestId: read.order.mercadoPagoRequestId },
        ruleContext(deps, by),
        { defaultCurrency: SITE_CURRENCY[deps.siteId], till: options.till, version: options.version },
      ),
    deps.conflicts,
  );

export const syncOrder = async (
  deps: LedgerDeps & MercadoPagoDeps & OrderDefaults,
  orderId: string,
  options: OrderSyncOptions,
): Promise<OrderSync> => {
  const current = options.known ? options.known.ledger : await deps.ledgers.get(orderId);
  if (isStaleDelivery(current, options.version)) return { kind: 'stale' };
  let read: OrderRead;
  try {
    read = await readOrder(deps, orderId, options);
  } catch (error) {
    if (isNotFound(error)) return { kind: 'not_found' };
    throw error;
  }
  const { order } = read;
  if (
    current === undefined &&
    options.userId !== undefined &&
    order.userId !== null &&
    order.userId !== options.userId
  )
    return { kind: 'other_seller', userId: order.userId };
  const till = options.till ?? (current === undefined ? await options.tillOf?.(order) : undefined);
  if (current === undefined && till === undefined && order.refunds.length === 0)
    return { kind: 'untracked', order };
  const applied = await applyOrderReadTo(deps, current, read, options.by, { ...options, till });
  if (applied.written && applied.events.length > 0) {
    options.log.info('ledger brought up to date', { orderId, events: applied.events.map(describe) });
    observeEvents(applied.events, options.log, { countSettlements: true, fields: { orderId } });
  }
  return {
    kind: 'synced',
    order,
    ledger: must(applied.ledger, 'a synced order has its ledger'),
    events: applied.events,
    written: applied.written,
    held: applied.result.held,
  };
};
