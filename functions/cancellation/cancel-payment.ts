/**
 * POST /payments/{paymentId}/cancellation.
 *
 * 1. With an Idempotency-Key: one consistent read of the key and the ledger; a known key is replayed (409
 *    while its first request runs, resumed once that request's lock has expired), a new one claimed.
 * 2. The payment is read at Mercado Pago, the ledger synced with it, and API.md's checks run in order.
 * 3. The attempt is recorded `pending`, Mercado Pago is asked with a key derived from the payment and the
 *    caller's key (the same on every retry and resume), and the outcome recorded: cancelled, failed, or
 *    pending while nobody can know. An unknown outcome is never reported as success.
 */

import { isoAt } from '../shared/clock.ts';
import type { ProblemError } from '../shared/errors.ts';
import { problemResponse } from '../shared/http/response.ts';
import type { HttpResponse } from '../shared/http/types.ts';
import { withIdempotencyKey } from '../shared/idempotency/keyed-request.ts';
import { deterministicUuid, sha256Hex } from '../shared/ids.ts';
import {
  beginCancellation,
  type CancellationCheck,
  type CancellationOutcome,
  cancellationOutcomeOf,
  cancellationState,
  checkCancellation,
  recordCancellationCall,
  settleCancellationWithPayment,
} from '../shared/ledger/cancellation.ts';
import { type LedgerEvent, syncWithPayment } from '../shared/ledger/ledger.ts';
import { CancellationStatus, type PaymentLedger } from '../shared/ledger/types.ts';
import type { Logger } from '../shared/logger.ts';
import { cancellationRefusalCode, MercadoPagoError } from '../shared/mercadopago/errors.ts';
import { isNotFound, upstreamProblem } from '../shared/mercadopago/problems.ts';
import type { MpCancellation, MpPayment } from '../shared/mercadopago/types.ts';
import { classifyWriteFailure } from '../shared/mercadopago/write-failure.ts';
import { MetricName, putMetric } from '../shared/metrics.ts';
import type { IdempotencyRecord } from '../shared/storage/idempotency-store.ts';
import { updateLedger } from '../shared/storage/ledger-store.ts';
import type { CancellationDeps } from './deps.ts';
import { cancelledResponse, pendingResponse, stateResponse } from './responses.ts';

export const CANCEL_ROUTE = 'POST /payments/{paymentId}/cancellation';

export interface CancelPaymentInput {
  paymentId: string;
  /** Optional for this route: without one, the Mercado Pago key is derived from the payment alone. */
  idempotencyKey: string | undefined;
  caller: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

/** route + paymentId: the cancellation has no other fields. */
export const cancellationFingerprint = (paymentId: string): string =>
  sha256Hex(JSON.stringify([CANCEL_ROUTE, paymentId]));

/** The key Mercado Pago sees, derived so that every retry and resume sends the same one. */
export const mercadoPagoCancellationKey = (paymentId: string, idempotencyKey: string | undefined): string =>
  deterministicUuid(
    idempotencyKey === undefined ? `cancel:${paymentId}` : `cancel:${paymentId}:${idempotencyKey}`,
  );

/** The idempotency claim this request holds, when the caller sent a key. */
type Claim = Pick<IdempotencyRecord, 'key' | 'lockOwner'> | undefined;

export const cancelPayment = async (
  deps: CancellationDeps,
  input: CancelPaymentInput,
): Promise<HttpResponse> => {
  if (input.idempotencyKey === undefined) {
    return runClaimed(deps, input, undefined, await deps.ledgers.get(input.paymentId));
  }
  return withIdempotencyKey(
    deps,
    {
      key: input.idempotencyKey,
      route: CANCEL_ROUTE,
      paymentId: input.paymentId,
      fingerprint: cancellationFingerprint(input.paymentId),
      requestId: input.requestId,
      deadline: input.deadline,
      log: input.log,
    },
    {
      // A stored 202 is answered with the current state (200 once the cancellation is known done).
      derive: (record, ledger) => {
        if (record.response?.status !== 202) return undefined;
        const settled = ledger
          ? settleCancellationWithPayment(ledger, ledger, ledger.updatedAt, 'mercadopago').ledger
          : undefined;
        return stateResponse(input.paymentId, cancellationState(settled));
      },
      run: (claim, ledger) => runClaimed(deps, input, claim, ledger),
    },
  );
};

/** Stores the final answer of a claimed key (nothing to do without a key). */
const finish = async (
  deps: CancellationDeps,
  claim: Claim,
  response: HttpResponse,
): Promise<HttpResponse> => {
  if (claim) await deps.idempotency.complete(claim.key, claim.lockOwner, response);
  return response;
};

const release = async (deps: CancellationDeps, claim: Claim): Promise<void> => {
  if (claim) await deps.idempotency.release(claim.key, claim.lockOwner);
};

type Prepared = { check: CancellationCheck; firstAttempt: boolean };

const runClaimed = async (
  deps: CancellationDeps,
  input: CancelPaymentInput,
  claim: Claim,
  knownLedger: PaymentLedger | undefined,
): Promise<HttpResponse> => {
  const { log, paymentId } = input;
  let payment: MpPayment;
  try {
    payment = await deps.mercadoPago.getPayment(paymentId, { deadline: input.deadline, log });
  } catch (error) {
    if (isNotFound(error))
      return finish(deps, claim, problemResponse('PAYMENT_NOT_FOUND', `Payment ${paymentId} was not found.`));
    await release(deps, claim);
    if (error instanceof MercadoPagoError) throw upstreamProblem(error);
    throw error;
  }

  const nowIso = isoAt(deps.clock.now());
  const mercadoPagoKey = mercadoPagoCancellationKey(paymentId, input.idempotencyKey);
  const check = checkCancellation(payment);
  const prepared = await updateLedger<Prepared>(deps.ledgers, paymentId, knownLedger, (current) => {
    const synced = syncWithPayment(current, payment, nowIso, 'mercadopago', () => deps.newId('rf'));
    const settled = settleCancellationWithPayment(synced.ledger, payment, nowIso, 'mercadopago');
    const changed = synced.changed || settled.changed;
    if (check.kind !== 'cancellable')
      return {
        ledger: changed ? settled.ledger : null,
        result: { check, firstAttempt: false },
        events: synced.events,
      };
    const begun = beginCancellation(settled.ledger, {
      idempotencyKey: input.idempotencyKey ?? null,
      mercadoPagoIdempotencyKey: mercadoPagoKey,
      by: input.caller,
      now: nowIso,
    });
    return {
      ledger: begun.ledger,
      result: { check, firstAttempt: begun.firstAttempt },
      events: synced.events,
    };
  });
  const events: LedgerEvent[] = [...prepared.events];

  if (check.kind === 'already_cancelled') {
    await deps.onLedgerEvents?.(input.paymentId, events, input.log, prepared.ledger);
    return finish(deps, claim, cancelledResponse(paymentId, payment.statusDetail));
  }
  if (check.kind === 'refused') {
    await deps.onLedgerEvents?.(input.paymentId, events, input.log, prepared.ledger);
    log.info('cancellation refused before calling Mercado Pago', { paymentId, code: check.code });
    return finish(deps, claim, problemResponse(check.code, check.detail));
  }
  return callMercadoPago(
    deps,
    input,
    claim,
    payment,
    prepared.ledger!,
    prepared.result.firstAttempt,
    mercadoPagoKey,
    events,
  );
};

const callMercadoPago = async (
  deps: CancellationDeps,
  input: CancelPaymentInput,
  claim: Claim,
  payment: MpPayment,
  ledger: PaymentLedger,
  firstAttempt: boolean,
  mercadoPagoKey: string,
  events: LedgerEvent[],
): Promise<HttpResponse> => {
  const { log, paymentId } = input;
  let outcome: CancellationOutcome;
  let answer: MpCancellation | undefined;
  let releaseKeyWith: ProblemError | undefined;
  try {
    answer = await deps.mercadoPago.cancelPayment(paymentId, {
      idempotencyKey: mercadoPagoKey,
      deadline: input.deadline,
      log,
    });
    outcome = cancellationOutcomeOf(answer);
  } catch (error) {
    const failure = classifyWriteFailure(error, {
      firstAttempt,
      refusalCode: cancellationRefusalCode,
      refusalDetail: (code) => refusalDetail(code, paymentId),
      verb: 'cancelled',
      log,
      fields: { paymentId },
    });
    outcome = failure.kind === 'refused' ? { kind: 'refused', failure: failure.failure } : failure;
    releaseKeyWith = failure.kind === 'refused' ? failure.releaseKeyWith : undefined;
  }

  const nowIso = isoAt(deps.clock.now());
  const settled = await updateLedger(deps.ledgers, paymentId, ledger, (current) => {
    if (!current) return { ledger: null, result: null };
    const recorded = recordCancellationCall(current, payment, answer, outcome, nowIso, input.caller, () =>
      deps.newId('rf'),
    );
    return { ledger: recorded.changed ? recorded.ledger : null, result: null, events: recorded.events };
  });

  events.push(...settled.events);
  const finalLedger = settled.ledger ?? ledger;
  const record = finalLedger.cancellation;
  if (record?.status === CancellationStatus.Cancelled) putMetric(MetricName.CancellationSucceeded);
  else if (record?.status === CancellationStatus.Pending) putMetric(MetricName.CancellationPending);
  await deps.onLedgerEvents?.(input.paymentId, events, input.log, finalLedger);

  if (releaseKeyWith && record?.status === CancellationStatus.Failed) {
    await release(deps, claim);
    throw releaseKeyWith;
  }
  const response =
    record?.status === CancellationStatus.Cancelled
      ? cancelledResponse(paymentId, finalLedger.statusDetail)
      : record?.status === CancellationStatus.Failed
        ? stateResponse(paymentId, cancellationState(finalLedger))
        : pendingResponse(paymentId);
  if (response.status === 202) log.warn('cancellation pending: left to reconciliation', { paymentId });
  return finish(deps, claim, response);
};

const refusalDetail = (code: string, paymentId: string): string => {
  switch (code) {
    case 'PAYMENT_NOT_FOUND':
      return `Mercado Pago did not find payment ${paymentId}.`;
    case 'PAYMENT_NOT_CANCELLABLE':
      return `Mercado Pago says the payment cannot be cancelled in its current state; an approved payment is refunded with POST /payments/${paymentId}/refunds.`;
    default:
      return 'Mercado Pago refused the cancellation.';
  }
};
