/** GET routes of refunds: the payment re-read at Mercado Pago merged with the ledger, or one refund. */
import { isoAt } from '../shared/clock.ts';
import { ProblemError } from '../shared/errors.ts';
import type { HttpResponse } from '../shared/http/types.ts';
import { syncWithPayment } from '../shared/ledger/ledger.ts';
import { paymentRefundsView, refundView } from '../shared/ledger/refund-view.ts';
import type { Logger } from '../shared/logger.ts';
import { MercadoPagoError } from '../shared/mercadopago/errors.ts';
import { isNotFound, upstreamProblem } from '../shared/mercadopago/problems.ts';
import type { MpPayment } from '../shared/mercadopago/types.ts';
import { updateLedger } from '../shared/storage/ledger-store.ts';
import type { RefundDeps } from './deps.ts';

export const readPayment = async (
  deps: Pick<RefundDeps, 'mercadoPago'>,
  paymentId: string,
  options: { deadline: number; log: Logger },
): Promise<MpPayment> => {
  try {
    return await deps.mercadoPago.getPayment(paymentId, options);
  } catch (error) {
    if (isNotFound(error)) throw new ProblemError('PAYMENT_NOT_FOUND', `Payment ${paymentId} was not found.`);
    if (error instanceof MercadoPagoError) throw upstreamProblem(error);
    throw error;
  }
};

export const listRefunds = async (
  deps: RefundDeps,
  input: { paymentId: string; deadline: number; log: Logger },
): Promise<HttpResponse> => {
  const payment = await readPayment(deps, input.paymentId, input);
  const nowIso = isoAt(deps.clock.now());
  const current = await deps.ledgers.get(input.paymentId);
  const newRefundId = () => deps.newId('rf');
  if (!current && payment.refunds.length === 0) {
    // Nothing to remember about this payment yet: answer without writing.
    return {
      status: 200,
      body: paymentRefundsView(
        syncWithPayment(undefined, payment, nowIso, 'mercadopago', newRefundId).ledger,
      ),
    };
  }
  const { ledger, events } = await updateLedger(deps.ledgers, input.paymentId, current, (stored) => {
    const synced = syncWithPayment(stored, payment, nowIso, 'mercadopago', newRefundId);
    return { ledger: synced.changed ? synced.ledger : null, result: null, events: synced.events };
  });
  await deps.onLedgerEvents?.(input.paymentId, events, input.log, ledger);
  return { status: 200, body: paymentRefundsView(ledger!) };
};

export const getRefund = async (
  deps: RefundDeps,
  input: { paymentId: string; refundId: string },
): Promise<HttpResponse> => {
  const ledger = await deps.ledgers.get(input.paymentId);
  const entry = ledger?.refunds.find((e) => e.id === input.refundId);
  if (!ledger || !entry) {
    throw new ProblemError(
      'REFUND_NOT_FOUND',
      `Refund ${input.refundId} of payment ${input.paymentId} was not found.`,
    );
  }
  return { status: 200, body: refundView(ledger, entry) };
};
