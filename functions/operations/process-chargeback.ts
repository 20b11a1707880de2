/**
 * A chargeback notification (`topic_chargebacks_wh` webhook, `chargebacks` IPN): re-read the case with our
 * own token, then each payment it names, and record the case on each payment's ledger in one write with that
 * payment's read (API.md "Chargebacks"), creating the ledger when this service had none. A case or payment
 * Mercado Pago does not show to our token is logged and left; a read that fails throws (retried).
 */
import { MERCADOPAGO } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { must } from '../model/invariant.ts';
import { andThen } from '../model/ledger/change.ts';
import { applyChargebackRead, type ChargebackApplied } from '../model/ledger/chargebacks.ts';
import { applyPaymentRead } from '../model/ledger/payment-read.ts';
import type { Logger } from '../observability/logger.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import { ruleContext } from './deps.ts';
import { observeEvents } from './observe.ts';
import type { ProcessingDeps } from './processing-deps.ts';
import { readPayment } from './sync-payment.ts';
import { updateLedger } from './update-ledger.ts';

export type ChargebackOutcome = 'updated' | 'unchanged' | 'not_found';

export const processChargeback = async (
  deps: ProcessingDeps,
  chargebackId: string,
  options: { log: Logger; deadline?: number },
): Promise<ChargebackOutcome> => {
  const { log } = options;
  let facts: Awaited<ReturnType<ProcessingDeps['mercadoPago']['getChargeback']>>;
  try {
    facts = await deps.mercadoPago.getChargeback(chargebackId, options);
  } catch (error) {
    if (isNotFound(error)) {
      log.warn('notified chargeback not found with our token');
      return 'not_found';
    }
    throw error;
  }
  const read = { facts, at: isoAt(deps.clock.now()), requestId: facts.mercadoPagoRequestId };
  if (facts.paymentIds.length === 0)
    log.warn('chargeback names no payment: nothing recorded', { chargebackId });
  let written = false;
  for (const paymentId of facts.paymentIds) {
    const current = await deps.ledgers.get(paymentId);
    let payment: Awaited<ReturnType<typeof readPayment>>;
    try {
      payment = await readPayment(deps, paymentId, options);
    } catch (error) {
      if (isNotFound(error)) {
        log.warn('charged-back payment not found with our token', { paymentId });
        continue;
      }
      throw error;
    }
    if (
      current === undefined &&
      deps.userId !== undefined &&
      payment.payment.collectorId !== null &&
      payment.payment.collectorId !== deps.userId
    ) {
      log.warn("chargeback on another seller's payment ignored", { paymentId });
      continue;
    }
    const paymentRead = {
      facts: payment.payment,
      at: payment.at,
      requestId: payment.payment.mercadoPagoRequestId,
    };
    const rules = ruleContext(deps, MERCADOPAGO);
    const applied = await updateLedger(
      deps.ledgers,
      paymentId,
      current,
      (ledger) => {
        const first = applyPaymentRead(ledger, paymentRead, rules);
        const base = first.ledger ?? must(ledger, 'a read of a payment without a ledger makes one');
        return andThen<unknown, ChargebackApplied>(first, base, (synced) =>
          applyChargebackRead(synced, read, rules),
        );
      },
      deps.conflicts,
    );
    if (applied.written) {
      written = true;
      observeEvents(applied.events, log, { countSettlements: true, fields: { paymentId } });
      log.info('chargeback recorded', { paymentId, chargebackId, result: applied.result.kind });
    }
  }
  return written ? 'updated' : 'unchanged';
};
