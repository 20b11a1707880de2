/**
 * A payment notification (or a reconciliation check): re-read the payment with our own token and bring the
 * stored ledger up to date, then publish the events of that write. Reads happen in the order ledger, then
 * payment, then a write conditional on the ledger's version; on a conflict both are read again, so what is
 * written is never older than what another writer of this protocol stored.
 */
import { isoAt } from '../clock.ts';
import { publishLedgerEvents } from '../events/ledger-events.ts';
import type { LedgerEvent } from '../ledger/ledger.ts';
import { type PaymentLedger, RefundOrigin } from '../ledger/types.ts';
import type { Logger } from '../logger.ts';
import { isNotFound } from '../mercadopago/problems.ts';
import type { MpPayment } from '../mercadopago/types.ts';
import { MetricName, putMetric } from '../metrics.ts';
import { LedgerConflictError } from '../storage/ledger-store.ts';
import { applyPayment } from './apply-payment.ts';
import type { ProcessingDeps } from './deps.ts';

export type PaymentSync =
  | { outcome: 'not_found' }
  | { outcome: 'other_seller'; collectorId: string }
  /** Neither stored nor refunded: nothing of ours to keep up to date. */
  | { outcome: 'untracked'; payment: MpPayment }
  | { outcome: 'unchanged'; payment: MpPayment; ledger: PaymentLedger }
  | { outcome: 'updated'; payment: MpPayment; ledger: PaymentLedger; events: LedgerEvent[] };

export interface SyncOptions {
  log: Logger;
  deadline?: number;
  /** Who the history records: `mercadopago` (notifications) or `reconciliation`. */
  by: string;
}

const MAX_ATTEMPTS = 4;

export const syncPayment = async (
  deps: ProcessingDeps,
  paymentId: string,
  options: SyncOptions,
): Promise<PaymentSync> => {
  const { log } = options;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await deps.ledgers.get(paymentId);
    let payment: MpPayment;
    try {
      payment = await deps.mercadoPago.getPayment(paymentId, {
        log,
        ...(options.deadline ? { deadline: options.deadline } : {}),
      });
    } catch (error) {
      if (isNotFound(error)) return { outcome: 'not_found' };
      throw error;
    }
    // A payment of another collector that our token can read (marketplace set-ups) is none of our business,
    // unless this service already keeps its ledger: then Mercado Pago's word about it is always applied.
    if (
      current === undefined &&
      deps.userId !== undefined &&
      payment.collectorId !== null &&
      payment.collectorId !== deps.userId
    ) {
      return { outcome: 'other_seller', collectorId: payment.collectorId };
    }
    if (current === undefined && payment.refunds.length === 0) return { outcome: 'untracked', payment };

    const now = isoAt(deps.clock.now());
    const applied = applyPayment(current, payment, now, options.by, () => deps.newId('rf'));
    if (!applied.changed) return { outcome: 'unchanged', payment, ledger: current! };
    const saved = await deps.ledgers.save(applied.ledger, applied.events);
    if (!saved) continue;
    recordSettlementMetrics(applied.events);
    await publishLedgerEvents(deps.publisher, saved, applied.events, now, log);
    if (applied.events.length > 0) {
      log.info('ledger brought up to date', {
        paymentId,
        by: options.by,
        events: applied.events.map(describe),
      });
    }
    return { outcome: 'updated', payment, ledger: saved, events: applied.events };
  }
  throw new LedgerConflictError(paymentId, MAX_ATTEMPTS);
};

const describe = (event: LedgerEvent): string =>
  event.type === 'payment.status_changed'
    ? `${event.type}:${event.previousStatus}->${event.status}`
    : `${event.type}:${event.refund.id}`;

const recordSettlementMetrics = (events: readonly LedgerEvent[]) => {
  for (const event of events) {
    if (event.type === 'payment.status_changed' || event.refund.origin !== RefundOrigin.Api) continue;
    if (event.type === 'refund.succeeded') putMetric(MetricName.RefundSucceeded);
    else if (event.type === 'refund.failed') putMetric(MetricName.RefundFailed);
  }
};
