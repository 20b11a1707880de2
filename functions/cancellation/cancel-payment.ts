/**
 * POST /payments/{paymentId}/cancellation.
 *
 * 1. With an Idempotency-Key: the keyed-request protocol (replay, 409 while running, resume after the lock).
 * 2. The payment is read, applied to the ledger, and API.md's checks run in order; a cancellable payment
 *    gets an attempt recorded in flight in the same write.
 * 3. Mercado Pago is asked with the attempt's key (operations/send-cancellation.ts): 200 cancelled, 202
 *    pending while nobody can know, the problem when refused, 503 (key freed, nothing recorded) when it was
 *    certainly never received. An unknown outcome is never reported as success.
 */

import { lockUntil } from '../config/timing.ts';
import { keyedResponse } from '../http/keyed-response.ts';
import { ProblemError, refusalProblem } from '../http/problems.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import { caller } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { sha256Hex } from '../model/ids.ts';
import { must } from '../model/invariant.ts';
import {
  beginCancellation,
  type CancellationCheck,
  type CancellationStart,
  cancellationState,
  checkCancellation,
} from '../model/ledger/cancellation.ts';
import { andThen, type LedgerChange, unchanged } from '../model/ledger/change.ts';
import { applyPaymentRead } from '../model/ledger/payment-read.ts';
import { CancellationStatus, type Ledger } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { ruleContext } from '../operations/deps.ts';
import { withIdempotencyKey } from '../operations/keyed-request.ts';
import { sendCancellation } from '../operations/send-cancellation.ts';
import { readPayment } from '../operations/sync-payment.ts';
import { updateLedger } from '../operations/update-ledger.ts';
import type { IdempotencyRecord } from '../ports/idempotency-store.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
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

/** The idempotency claim this request holds, when the caller sent a key. */
type Claim = Pick<IdempotencyRecord, 'key' | 'lockOwner'> | undefined;

export const cancelPayment = async (
  deps: CancellationDeps,
  input: CancelPaymentInput,
): Promise<HttpResponse> => {
  if (input.idempotencyKey === undefined) {
    return runClaimed(deps, input, undefined, await deps.ledgers.get(input.paymentId));
  }
  const key = input.idempotencyKey;
  const outcome = await withIdempotencyKey(
    deps,
    {
      key,
      route: CANCEL_ROUTE,
      subjectId: input.paymentId,
      fingerprint: cancellationFingerprint(input.paymentId),
      requestId: input.requestId,
      lockUntil: lockUntil(input.deadline),
      log: input.log,
    },
    {
      // A stored 202 is answered with the current state (200 once the cancellation is known done).
      replay: (record, ledger) =>
        record.response?.status === 202
          ? stateResponse(input.paymentId, cancellationState(ledger))
          : undefined,
      remembered: (ledger) =>
        ledger.cancellation?.idempotencyKey === key && !ledger.cancellation.keyFreed
          ? {
              fingerprint: cancellationFingerprint(input.paymentId),
              answer: stateResponse(input.paymentId, cancellationState(ledger)),
            }
          : undefined,
      run: (claim, ledger) => runClaimed(deps, input, claim, ledger),
    },
  );
  return keyedResponse(outcome);
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

type Prepared = { check: CancellationCheck; start?: CancellationStart };

const runClaimed = async (
  deps: CancellationDeps,
  input: CancelPaymentInput,
  claim: Claim,
  known: Ledger | undefined,
): Promise<HttpResponse> => {
  const { log, paymentId } = input;
  let read: Awaited<ReturnType<typeof readPayment>>;
  try {
    read = await readPayment(deps, paymentId, input);
  } catch (error) {
    // An attempt may already be out there: the key stays taken and the answer is the current state (202,
    // stored: a replay answers the state then; never a stored 404 for a cancellation that may have happened).
    if (known?.cancellation?.status === CancellationStatus.Pending)
      return finish(deps, claim, pendingResponse(paymentId));
    if (isNotFound(error))
      return finish(deps, claim, problemResponse('PAYMENT_NOT_FOUND', `Payment ${paymentId} was not found.`));
    await release(deps, claim);
    throw error;
  }
  const { payment } = read;
  const by = caller(input.caller);
  const context = ruleContext(deps, by);
  const check = checkCancellation(payment);
  const lock = isoAt(lockUntil(input.deadline));
  const readFacts = {
    facts: payment,
    at: read.at,
    requestId: payment.mercadoPagoRequestId,
  };
  const prepared = await updateLedger<Prepared>(
    deps.ledgers,
    paymentId,
    known,
    (current): LedgerChange<Prepared> => {
      const synced = applyPaymentRead(current, readFacts, context);
      return andThen(
        synced,
        synced.ledger ?? must(current, 'a payment read leaves a ledger'),
        (ledger): LedgerChange<Prepared> => {
          if (check.kind !== 'cancellable') return unchanged({ check });
          const start = beginCancellation(
            ledger,
            { idempotencyKey: input.idempotencyKey ?? null, lockUntil: lock },
            context,
          );
          return { ...start, result: { check, start: start.result } };
        },
      );
    },
    deps.conflicts,
  );
  const { start } = prepared.result;
  if (check.kind === 'already_cancelled')
    return finish(deps, claim, cancelledResponse(paymentId, payment.statusDetail));
  if (check.kind === 'refused') {
    log.info('cancellation refused before calling Mercado Pago', { paymentId, code: check.failure.code });
    return finish(deps, claim, problemResponse(refusalProblem(check.failure.code), check.failure.detail));
  }
  switch (start?.kind) {
    case 'busy':
      return keyedResponse({ kind: 'in_progress' });
    case 'cancelled':
      return finish(deps, claim, cancelledResponse(paymentId, prepared.ledger?.statusDetail ?? null));
    case 'too_late':
      return finish(deps, claim, pendingResponse(paymentId));
    case 'ready':
      break;
    default:
      throw new Error('cancellation attempt not started');
  }

  const sent = await sendCancellation(deps, {
    ledger: must(prepared.ledger, 'a started cancellation was stored'),
    attempt: start.attempt,
    mercadoPagoKey: start.mercadoPagoKey,
    by,
    deadline: input.deadline,
    log,
  });
  if (sent.kind === 'not_sent') {
    await release(deps, claim);
    throw new ProblemError(
      'UPSTREAM_UNAVAILABLE',
      'Mercado Pago is unavailable; nothing was cancelled. Retry later.',
      {
        headers: { 'retry-after': String(sent.retryAfterSeconds) },
      },
    );
  }
  const record = sent.record;
  if (record?.status === CancellationStatus.Failed && record.keyFreed) {
    await release(deps, claim);
    throw new ProblemError('UPSTREAM_ERROR', record.failure?.detail ?? 'Mercado Pago answered unexpectedly.');
  }
  const response =
    record?.status === CancellationStatus.Cancelled
      ? cancelledResponse(paymentId, sent.ledger.statusDetail)
      : stateResponse(paymentId, cancellationState(sent.ledger));
  if (response.status === 202) log.warn('cancellation pending: left to reconciliation', { paymentId });
  return finish(deps, claim, response);
};
