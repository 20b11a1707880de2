/**
 * POST /payments/{paymentId}/refunds: the money path.
 *
 * 1. One consistent read of the idempotency key and the payment's ledger: a known key is replayed (or
 *    answered 409 while its first request runs, or resumed once that request's lock has expired).
 * 2. The key is claimed (conditional put), the payment read at Mercado Pago, the ledger synced with it, the
 *    checks run in API.md's order, and the refund reserved as `pending` (conditional write on the version).
 * 3. Mercado Pago is called with a key derived from the payment and the caller's key (the same on every retry
 *    and every resume), and the outcome recorded: succeeded, failed, or pending when nobody can know yet.
 * Nothing here can create a second refund for one key, nor lose one that Mercado Pago made.
 */

import { isoAt } from '../shared/clock.ts';
import { refundWindowDaysFor } from '../shared/config.ts';
import { ProblemError } from '../shared/errors.ts';
import { problemResponse } from '../shared/http/response.ts';
import type { HttpResponse } from '../shared/http/types.ts';
import { withIdempotencyKey } from '../shared/idempotency/keyed-request.ts';
import { deterministicUuid, sha256Hex } from '../shared/ids.ts';
import {
  type LedgerEvent,
  markRetry,
  type RefundOutcome,
  refundRequestAmount,
  reserveRefund,
  settleRefund,
  syncWithPayment,
} from '../shared/ledger/ledger.ts';
import { RESEND_WINDOW_MS } from '../shared/ledger/resend.ts';
import { CallState, type PaymentLedger, type RefundEntry, RefundStatus } from '../shared/ledger/types.ts';
import type { Logger } from '../shared/logger.ts';
import { MercadoPagoError, refundRefusalCode } from '../shared/mercadopago/errors.ts';
import { isNotFound, upstreamProblem } from '../shared/mercadopago/problems.ts';
import type { MpPayment } from '../shared/mercadopago/types.ts';
import { classifyWriteFailure } from '../shared/mercadopago/write-failure.ts';
import { MetricName, putMetric } from '../shared/metrics.ts';
import { decimalsOf, isCurrency, isSiteId, siteOfCurrency, toMinorUnits } from '../shared/money.ts';
import type { IdempotencyRecord } from '../shared/storage/idempotency-store.ts';
import { updateLedger } from '../shared/storage/ledger-store.ts';
import type { RefundDeps } from './deps.ts';
import { refundResponse } from './responses.ts';

export const CREATE_REFUND_ROUTE = 'POST /payments/{paymentId}/refunds';

export interface CreateRefundInput {
  paymentId: string;
  idempotencyKey: string;
  /** Major units with at most 2 decimals (checked against the currency here); undefined = everything left. */
  amount: number | undefined;
  reason?: string;
  externalReference?: string;
  caller: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

/** route + paymentId + amount (canonical: 10 and 10.0 are one) + the other body fields. */
export const refundFingerprint = (
  input: Pick<CreateRefundInput, 'paymentId' | 'amount' | 'reason' | 'externalReference'>,
) =>
  sha256Hex(
    JSON.stringify([
      CREATE_REFUND_ROUTE,
      input.paymentId,
      input.amount === undefined ? 'all' : String(input.amount),
      input.reason ?? null,
      input.externalReference ?? null,
    ]),
  );

/** The key Mercado Pago sees: derived from the payment and the caller's key, so it survives every retry. */
export const mercadoPagoRefundKey = (paymentId: string, idempotencyKey: string) =>
  deterministicUuid(`refund:${paymentId}:${idempotencyKey}`);

export const createRefund = async (deps: RefundDeps, input: CreateRefundInput): Promise<HttpResponse> =>
  withIdempotencyKey(
    deps,
    {
      key: input.idempotencyKey,
      route: CREATE_REFUND_ROUTE,
      paymentId: input.paymentId,
      fingerprint: refundFingerprint(input),
      requestId: input.requestId,
      deadline: input.deadline,
      log: input.log,
      claimFields: { refundId: deps.newId('rf') },
    },
    {
      // Settled, or pending with no call in flight: the refund's current state is the answer.
      derive: (record, ledger) => {
        const entry = ledger?.refunds.find((e) => e.id === record.refundId);
        return ledger &&
          entry &&
          (entry.status !== RefundStatus.Pending || entry.callState !== CallState.InFlight)
          ? refundResponse(ledger, entry)
          : undefined;
      },
      run: (claim, ledger) => runClaimed(deps, input, claim, ledger),
    },
  );

type Reservation =
  | { kind: 'refused'; code: Parameters<typeof problemResponse>[0]; detail: string }
  | { kind: 'reserved'; entry: RefundEntry }
  | { kind: 'existing'; entry: RefundEntry };

const runClaimed = async (
  deps: RefundDeps,
  input: CreateRefundInput,
  claim: IdempotencyRecord,
  knownLedger: PaymentLedger | undefined,
): Promise<HttpResponse> => {
  const { log } = input;
  const refundId = claim.refundId!;
  let payment: MpPayment;
  try {
    payment = await deps.mercadoPago.getPayment(input.paymentId, { deadline: input.deadline, log });
  } catch (error) {
    if (isNotFound(error)) {
      const response = problemResponse('PAYMENT_NOT_FOUND', `Payment ${input.paymentId} was not found.`);
      await deps.idempotency.complete(claim.key, claim.lockOwner, response);
      return response;
    }
    await deps.idempotency.release(claim.key, claim.lockOwner);
    if (error instanceof MercadoPagoError) throw upstreamProblem(error);
    throw error;
  }

  let amountMinor: number | 'all' = 'all';
  if (input.amount !== undefined) {
    const minor = toMinorUnits(input.amount, decimalsOf(payment.currencyId));
    if (minor === null || minor <= 0) {
      await deps.idempotency.release(claim.key, claim.lockOwner);
      throw new ProblemError('VALIDATION_ERROR', 'The amount is not valid for the payment currency.', {
        errors: [
          {
            field: 'amount',
            message: `must be positive with at most ${decimalsOf(payment.currencyId)} decimals in ${payment.currencyId}`,
          },
        ],
      });
    }
    amountMinor = minor;
  }

  const nowIso = isoAt(deps.clock.now());
  const site = isCurrency(payment.currencyId) ? siteOfCurrency(payment.currencyId) : undefined;
  const windowDays = refundWindowDaysFor(deps.refundWindow, site && isSiteId(site) ? site : undefined);
  const events: LedgerEvent[] = [];
  const newRefundId = () => deps.newId('rf');

  const reserved = await updateLedger<Reservation>(deps.ledgers, input.paymentId, knownLedger, (current) => {
    const synced = syncWithPayment(current, payment, nowIso, 'mercadopago', newRefundId);
    const existing = synced.ledger.refunds.find((e) => e.id === refundId);
    if (existing) {
      return {
        ledger: synced.changed ? synced.ledger : null,
        result: { kind: 'existing', entry: existing },
        events: synced.events,
      };
    }
    const attempt = reserveRefund(
      synced.ledger,
      payment,
      {
        refundId,
        amount: amountMinor,
        idempotencyKey: claim.key,
        mercadoPagoIdempotencyKey: mercadoPagoRefundKey(input.paymentId, claim.key),
        ...(input.reason !== undefined ? { reason: input.reason } : {}),
        ...(input.externalReference !== undefined ? { externalReference: input.externalReference } : {}),
        by: input.caller,
        now: nowIso,
      },
      windowDays,
    );
    if (!attempt.ok) {
      return {
        ledger: synced.changed ? synced.ledger : null,
        result: { kind: 'refused', code: attempt.refusal.code, detail: attempt.refusal.detail },
        events: synced.events,
      };
    }
    return {
      ledger: attempt.ledger,
      result: { kind: 'reserved', entry: attempt.entry },
      events: synced.events,
    };
  });
  let ledger = reserved.ledger!;
  const outcome = reserved.result;
  events.push(...reserved.events);

  if (outcome.kind === 'refused') {
    const response = problemResponse(outcome.code, outcome.detail);
    await deps.idempotency.complete(claim.key, claim.lockOwner, response);
    await deps.onLedgerEvents?.(input.paymentId, events, input.log, ledger);
    log.info('refund refused before calling Mercado Pago', {
      paymentId: input.paymentId,
      code: outcome.code,
    });
    return response;
  }

  let entry = outcome.entry;
  if (outcome.kind === 'existing') {
    // Resuming: the reservation exists. Settled (or linked by the sync) means there is nothing to send.
    if (entry.status !== RefundStatus.Pending || entry.mercadoPagoRefundId !== null) {
      await deps.onLedgerEvents?.(input.paymentId, events, input.log, ledger);
      return refundResponse(ledger, entry);
    }
    const firstAttempt = Date.parse(entry.createdAt);
    if (deps.clock.now() - firstAttempt > RESEND_WINDOW_MS) {
      log.warn('refund still unknown and too old to re-send: left to reconciliation', {
        refundId,
        paymentId: input.paymentId,
      });
      // No call is in flight any more: replays answer the current state (202) instead of 409.
      const marked = await updateLedger(deps.ledgers, input.paymentId, ledger, (current) => {
        if (!current) return { ledger: null, result: null };
        const change = settleRefund(
          current,
          refundId,
          { kind: 'unknown', note: 'not re-sent: too old' },
          nowIso,
          input.caller,
          newRefundId,
        );
        return { ledger: change.changed ? change.ledger : null, result: null, events: change.events };
      });
      events.push(...marked.events);
      const markedLedger = marked.ledger ?? ledger;
      await deps.onLedgerEvents?.(input.paymentId, events, input.log, markedLedger);
      return refundResponse(markedLedger, markedLedger.refunds.find((e) => e.id === refundId) ?? entry);
    }
    const retried = await updateLedger(deps.ledgers, input.paymentId, ledger, (current) => ({
      ledger: current ? markRetry(current, refundId, nowIso) : null,
      result: null,
    }));
    ledger = retried.ledger!;
    entry = ledger.refunds.find((e) => e.id === refundId)!;
  }

  return callMercadoPago(deps, input, claim, ledger, entry, outcome.kind === 'reserved', events);
};

const callMercadoPago = async (
  deps: RefundDeps,
  input: CreateRefundInput,
  claim: IdempotencyRecord,
  ledger: PaymentLedger,
  entry: RefundEntry,
  firstAttempt: boolean,
  events: LedgerEvent[],
): Promise<HttpResponse> => {
  const { log } = input;
  const amount = refundRequestAmount(ledger, entry);

  let result: RefundOutcome;
  let releaseKeyWith: ProblemError | undefined;
  try {
    const refund = await deps.mercadoPago.createRefund(input.paymentId, amount, {
      idempotencyKey: entry.mercadoPagoIdempotencyKey!,
      deadline: input.deadline,
      log,
    });
    result = { kind: 'created', refund };
  } catch (error) {
    const failure = classifyWriteFailure(error, {
      firstAttempt,
      refusalCode: refundRefusalCode,
      refusalDetail,
      verb: 'refunded',
      log,
      fields: { refundId: entry.id, paymentId: input.paymentId },
    });
    result = failure.kind === 'refused' ? { kind: 'refused', failure: failure.failure } : failure;
    releaseKeyWith = failure.kind === 'refused' ? failure.releaseKeyWith : undefined;
  }

  const nowIso = isoAt(deps.clock.now());
  const settled = await updateLedger(deps.ledgers, input.paymentId, ledger, (current) => {
    if (!current) return { ledger: null, result: null };
    const change = settleRefund(current, entry.id, result, nowIso, input.caller, () => deps.newId('rf'));
    return { ledger: change.changed ? change.ledger : null, result: null, events: change.events };
  });
  events.push(...settled.events);
  const finalLedger = settled.ledger ?? ledger;
  const finalEntry = finalLedger.refunds.find((e) => e.id === entry.id) ?? entry;
  recordMetric(finalEntry);
  await deps.onLedgerEvents?.(input.paymentId, events, input.log, finalLedger);

  if (releaseKeyWith && finalEntry.status === RefundStatus.Failed) {
    await deps.idempotency.release(claim.key, claim.lockOwner);
    throw releaseKeyWith;
  }
  return refundResponse(finalLedger, finalEntry);
};

const refusalDetail = (code: string): string => {
  switch (code) {
    case 'PAYMENT_NOT_FOUND':
      return 'Mercado Pago did not find the payment.';
    case 'REFUND_WINDOW_EXPIRED':
      return 'Mercado Pago says the payment is too old to refund.';
    case 'PARTIAL_REFUND_NOT_SUPPORTED':
      return 'This payment only accepts a refund of its whole amount.';
    case 'PAYMENT_NOT_REFUNDABLE':
      return 'Mercado Pago says the payment cannot be refunded in its current state.';
    case 'INSUFFICIENT_BALANCE':
      return 'The seller account does not have enough balance for this refund.';
    default:
      return 'Mercado Pago refused the refund.';
  }
};

const recordMetric = (entry: RefundEntry) => {
  if (entry.status === RefundStatus.Succeeded) putMetric(MetricName.RefundSucceeded);
  else if (entry.status === RefundStatus.Failed) putMetric(MetricName.RefundFailed);
  else putMetric(MetricName.RefundPending);
};
