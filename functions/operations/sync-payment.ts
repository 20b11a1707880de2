/**
 * Bringing a payment's ledger up to date with Mercado Pago (notifications, GET, reconciliation, a recheck):
 * one read of the payment, applied under the settlement rules. A conflicting write is retried on a fresh
 * ledger with the same read (the rules never let an older read move anything backwards), after a jittered
 * backoff: a storm of notifications on one payment settles without errors and without re-reading Mercado
 * Pago. A read that brings no news writes nothing.
 */

import type { Actor } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { must } from '../model/invariant.ts';
import { hasPendingWork, type LedgerEvent } from '../model/ledger/change.ts';
import { applyPaymentRead } from '../model/ledger/payment-read.ts';
import type { Ledger } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { MpPayment } from '../ports/mercadopago.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import { type LedgerDeps, type MercadoPagoDeps, ruleContext } from './deps.ts';
import { observeEvents } from './observe.ts';
import { updateLedger } from './update-ledger.ts';

export type PaymentSync =
  | { kind: 'not_found' }
  /** Another seller's payment this service keeps no ledger for: none of its business. */
  | { kind: 'other_seller'; collectorId: string }
  /** Neither stored nor refunded: nothing to keep (nothing written). */
  | { kind: 'untracked'; payment: MpPayment }
  | {
      kind: 'synced';
      payment: MpPayment;
      ledger: Ledger;
      events: readonly LedgerEvent[];
      written: boolean;
      held: string[];
    };

export interface SyncOptions {
  by: Actor;
  log: Logger;
  deadline?: number;
  /** The seller (MP_USER_ID): a payment of another collector is only followed when a ledger exists. */
  userId?: string | undefined;
  /**
   * The ledger its caller has just read (reconciliation, a recheck): not read again. Every write is conditional
   * on its version, so a ledger changed meanwhile costs a retry, never a lost change.
   */
  known?: { ledger: Ledger | undefined };
  /**
   * Read the ledger eventually consistently first (a notification: half the read units), and consistently
   * only when that read shows no ledger or pending work. A possibly earlier version with no pending work is
   * safe to apply a fresh read to: whatever was written since it either reserved a refund (which the read,
   * if it shows it made, presents as a new refund: a change, whose versioned write fails and runs again on a
   * consistent read) or applied Mercado Pago's own reads and answers (nothing this read could undo).
   */
  peekFirst?: boolean;
}

/** The ledger a sync starts from (see SyncOptions). */
const startingLedger = async (
  deps: LedgerDeps,
  paymentId: string,
  options: SyncOptions,
): Promise<Ledger | undefined> => {
  if (options.known) return options.known.ledger;
  if (options.peekFirst) {
    const seen = await deps.ledgers.peek(paymentId);
    if (seen !== undefined && !hasPendingWork(seen)) return seen;
  }
  return deps.ledgers.get(paymentId);
};

export const readPayment = async (
  deps: MercadoPagoDeps & Pick<LedgerDeps, 'clock'>,
  paymentId: string,
  options: Pick<SyncOptions, 'log' | 'deadline'>,
): Promise<{ payment: MpPayment; at: string }> => {
  const payment = await deps.mercadoPago.getPayment(paymentId, {
    log: options.log,
    deadline: options.deadline,
  });
  return { payment, at: isoAt(deps.clock.now()) };
};

/** Applies a read already made (the refund route reads once, then syncs and reserves in one write). */
export const applyRead = async (
  deps: LedgerDeps,
  known: Ledger | undefined,
  read: { payment: MpPayment; at: string },
  by: Actor,
) =>
  updateLedger(
    deps.ledgers,
    read.payment.id,
    known,
    (current) =>
      applyPaymentRead(
        current,
        {
          facts: read.payment,
          at: read.at,
          requestId: read.payment.mercadoPagoRequestId,
        },
        ruleContext(deps, by),
      ),
    deps.conflicts,
  );

export const syncPayment = async (
  deps: LedgerDeps & MercadoPagoDeps,
  paymentId: string,
  options: SyncOptions,
): Promise<PaymentSync> => {
  const current = await startingLedger(deps, paymentId, options);
  let read: { payment: MpPayment; at: string };
  try {
    read = await readPayment(deps, paymentId, options);
  } catch (error) {
    if (isNotFound(error)) return { kind: 'not_found' };
    throw error;
  }
  const { payment } = read;
  if (
    current === undefined &&
    options.userId !== undefined &&
    payment.collectorId !== null &&
    payment.collectorId !== options.userId
  ) {
    return { kind: 'other_seller', collectorId: payment.collectorId };
  }
  if (current === undefined && payment.refunds.length === 0) return { kind: 'untracked', payment };
  const applied = await applyRead(deps, current, read, options.by);
  if (applied.written && applied.events.length > 0) {
    options.log.info('ledger brought up to date', { paymentId, events: applied.events.map(describe) });
    observeEvents(applied.events, options.log, { countSettlements: true, fields: { paymentId } });
  }
  return {
    kind: 'synced',
    payment,
    ledger: must(applied.ledger, 'a synced payment has its ledger'),
    events: applied.events,
    written: applied.written,
    held: applied.result.held,
  };
};

export const describe = (event: LedgerEvent): string => {
  switch (event.kind) {
    case 'status.changed':
      return `status:${event.previousStatus}->${event.status}`;
    case 'refund.settled':
      return `refund.${event.refund.status}:${event.refund.id}`;
    case 'cancellation.settled':
      return `cancellation.${event.status}`;
    case 'attention.raised':
      return `attention:${event.item.kind}`;
    case 'refund.recorded':
      return `refund.recorded:${event.refund.id}`;
    case 'chargeback.changed':
      return `chargeback.${event.chargeback.status}:${event.chargeback.id}`;
  }
};
