/** GET routes of refunds: the payment re-read at Mercado Pago merged with the ledger, or one refund. */

import { ProblemError } from '../http/problems.ts';
import type { HttpResponse } from '../http/types.ts';
import { MERCADOPAGO } from '../model/actor.ts';
import { must } from '../model/invariant.ts';
import { applyPaymentRead } from '../model/ledger/payment-read.ts';
import { refundsView, refundView } from '../model/ledger/view.ts';
import type { Logger } from '../observability/logger.ts';
import { ruleContext } from '../operations/deps.ts';
import { applyRead, readPayment } from '../operations/sync-payment.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import type { RefundDeps } from './deps.ts';

/** The payment's read, or the problem API.md names: 404, 503 (unavailable), 502 (odd or about another). */
export const readPaymentOrProblem = async (
  deps: Pick<RefundDeps, 'mercadoPago' | 'clock'>,
  paymentId: string,
  options: { deadline: number; log: Logger },
) => {
  try {
    return await readPayment(deps, paymentId, options);
  } catch (error) {
    if (isNotFound(error)) throw new ProblemError('PAYMENT_NOT_FOUND', `Payment ${paymentId} was not found.`);
    throw error;
  }
};

export const listRefunds = async (
  deps: RefundDeps,
  input: { paymentId: string; deadline: number; log: Logger },
): Promise<HttpResponse> => {
  const read = await readPaymentOrProblem(deps, input.paymentId, input);
  const current = await deps.ledgers.get(input.paymentId);
  const status = { status: read.payment.status, statusDetail: read.payment.statusDetail };
  if (!current && read.payment.refunds.length === 0) {
    // Nothing to remember about this payment yet: answer without writing.
    const view = applyPaymentRead(
      undefined,
      { facts: read.payment, at: read.at },
      ruleContext(deps, MERCADOPAGO),
    );
    return { status: 200, body: refundsView(must(view.ledger, 'a synced payment has its ledger'), status) };
  }
  const applied = await applyRead(deps, current, read, MERCADOPAGO);
  return { status: 200, body: refundsView(must(applied.ledger, 'a synced payment has its ledger'), status) };
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
