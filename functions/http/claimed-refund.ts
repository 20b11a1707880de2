/**
 * A refund under its claimed Idempotency-Key, after its subject (a payment or an order) was read: the one money
 * path of both refund routes.
 *
 * 1. The amount is checked against the subject's currency (a bad one frees the key: nothing was done).
 * 2. The read is applied to the ledger together with the reservation (or, on a resume, the next attempt of
 *    the refund the key holds) in one conditional write; API.md's checks run in its order, and a refusal is
 *    the key's answer.
 * 3. The refund is sent with its own Mercado Pago key (operations/send-refund.ts) and its outcome recorded
 *    under the settlement rules; the answer is its state: 201, 202, or why it failed. `503` and `502` free
 *    the key only when nothing can have been made (API.md).
 * Nothing here can make a second refund for one key, nor report one that Mercado Pago did not make for it.
 */
import { lockUntil } from '../config/timing.ts';
import { caller } from '../model/actor.ts';
import { isoAt } from '../model/clock.ts';
import { must } from '../model/invariant.ts';
import { andThen, type LedgerChange } from '../model/ledger/change.ts';
import { type AttemptStart, beginAttempt } from '../model/ledger/refund-call.ts';
import {
  type RefundRequest,
  type RefundTerms,
  type Reservation,
  reserveRefund,
} from '../model/ledger/reserve.ts';
import { type Ledger, type OurRefund, RefundStatus } from '../model/ledger/types.ts';
import { decimalsOf, toMinorUnits } from '../model/money.ts';
import type { RuleContext } from '../model/settings.ts';
import type { Logger } from '../observability/logger.ts';
import { type LedgerDeps, type MercadoPagoDeps, ruleContext } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import { sendRefund } from '../operations/send-refund.ts';
import { updateLedger } from '../operations/update-ledger.ts';
import type { IdempotencyRecord } from '../ports/idempotency-store.ts';
import { keyedResponse } from './keyed-response.ts';
import { ProblemError, refusalProblem } from './problems.ts';
import { refundResponse } from './refund-response.ts';
import { problemResponse } from './response.ts';
import type { HttpResponse } from './types.ts';

export interface ClaimedRefund {
  subject: { kind: 'payment' | 'order'; id: string; currency: string };
  /** Major units; undefined = everything left. */
  amount: number | undefined;
  /** The subject's read applied to its ledger (the change may be none; it must leave a ledger). */
  applyRead: (current: Ledger | undefined, context: RuleContext) => LedgerChange<unknown>;
  request: Pick<
    RefundRequest,
    'idempotencyKey' | 'fingerprint' | 'reason' | 'externalReference' | 'transactionId'
  >;
  terms: RefundTerms;
  caller: string;
  deadline: number;
  log: Logger;
}

type Prepared = { kind: 'reservation'; reservation: Reservation } | { kind: 'attempt'; start: AttemptStart };

/** The amount in minor units, or a 400 (the key freed first). */
const amountOf = async (refund: ClaimedRefund, release: () => Promise<void>): Promise<number | 'all'> => {
  if (refund.amount === undefined) return 'all';
  const { currency, kind } = refund.subject;
  const decimals = decimalsOf(currency);
  const minor = toMinorUnits(refund.amount, decimals);
  if (minor !== null && minor > 0) return minor;
  await release();
  throw new ProblemError('VALIDATION_ERROR', `The amount is not valid for the ${kind} currency.`, {
    errors: [
      {
        field: 'amount',
        message:
          decimals === 0
            ? `must be a positive whole amount in ${currency}`
            : `must be positive with at most ${decimals} decimals in ${currency}`,
      },
    ],
  });
};

export const runClaimedRefund = async (
  deps: LedgerDeps & MercadoPagoDeps & KeyedRequestDeps,
  claim: IdempotencyRecord,
  known: Ledger | undefined,
  refund: ClaimedRefund,
): Promise<HttpResponse> => {
  const { log, subject } = refund;
  const what = subject.kind === 'order' ? 'order refund' : 'refund';
  const subjectField = { [`${subject.kind}Id`]: subject.id };
  const refundId = must(claim.refundId, 'a refund key reserves a refund id');
  const release = () => deps.idempotency.release(claim.key, claim.lockOwner);
  const amount = await amountOf(refund, release);
  const lock = isoAt(lockUntil(refund.deadline));
  const by = caller(refund.caller);
  const context = ruleContext(deps, by);

  const prepared = await updateLedger<Prepared>(
    deps.ledgers,
    subject.id,
    known,
    (current): LedgerChange<Prepared> => {
      const synced = refund.applyRead(current, context);
      const base = synced.ledger ?? must(current, `a ${subject.kind} read leaves a ledger`);
      return andThen(synced, base, (ledger): LedgerChange<Prepared> => {
        if (ledger.refunds.some((e) => e.id === refundId)) {
          const start = beginAttempt(ledger, refundId, lock, context, 'resumed by a retry of its request');
          return { ...start, result: { kind: 'attempt', start: start.result } };
        }
        const reservation = reserveRefund(
          ledger,
          { ...refund.request, refundId, amount, lockUntil: lock },
          refund.terms,
          context,
        );
        return { ...reservation, result: { kind: 'reservation', reservation: reservation.result } };
      });
    },
    deps.conflicts,
  );
  const ledger = must(prepared.ledger, 'a started attempt was stored');
  const result = prepared.result;

  if (result.kind === 'reservation' && result.reservation.kind === 'refused') {
    const { failure } = result.reservation;
    const response = problemResponse(refusalProblem(failure.code), failure.detail);
    await deps.idempotency.complete(claim.key, claim.lockOwner, response);
    log.info(`${what} refused before calling Mercado Pago`, { ...subjectField, code: failure.code });
    return response;
  }

  let entry: OurRefund;
  let attempt = 1;
  if (result.kind === 'reservation') {
    entry = must(
      result.reservation.kind === 'reserved' ? result.reservation.entry : undefined,
      'a reservation holds its refund',
    );
  } else {
    const { start } = result;
    switch (start.kind) {
      case 'ready':
        entry = start.entry;
        attempt = start.attempt;
        break;
      case 'busy':
        return keyedResponse({ kind: 'in_progress' });
      case 'gone':
        throw new Error(
          `refund ${refundId} of ${subject.kind} ${subject.id} vanished while its key was held`,
        );
      case 'too_late':
        log.warn(`${what} still unknown and past its re-send window: left to reconciliation`, {
          refundId,
          ...subjectField,
        });
        return refundResponse(ledger, start.entry);
      case 'known':
        return refundResponse(ledger, start.entry);
    }
  }

  const sent = await sendRefund(deps, { ledger, entry, attempt, by, deadline: refund.deadline, log });
  if (sent.kind === 'not_sent') {
    await release();
    throw new ProblemError(
      'UPSTREAM_UNAVAILABLE',
      'Mercado Pago is unavailable; nothing was refunded. Retry later.',
      { headers: { 'retry-after': String(sent.retryAfterSeconds) } },
    );
  }
  if (sent.entry.status === RefundStatus.Failed && sent.entry.keyFreed) {
    await release();
    throw new ProblemError(
      'UPSTREAM_ERROR',
      sent.entry.failure?.detail ?? 'Mercado Pago answered unexpectedly.',
    );
  }
  return refundResponse(sent.ledger, sent.entry);
};
