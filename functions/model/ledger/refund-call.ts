/**
 * Our calls to Mercado Pago for one refund: the key they carry, when a call may be made (first attempt,
 * resume, re-send), and what its outcome proves. Evidence rules (API.md): the answer to this refund's own
 * call, with its own key, is the only thing that links it before its re-send window has passed.
 */

import type { Failure } from '../codes.ts';
import type { RefundFact } from '../facts.ts';
import { must } from '../invariant.ts';
import { nowMsOf, type RuleContext, type SettlementSettings } from '../settings.ts';
import { callInFlight, MAX_SEND_ATTEMPTS, withinResendWindow } from './attempts.ts';
import { type Draft, draftOf, finish, type LedgerChange, note, settle, unchanged } from './change.ts';
import { applyToLinked, confirmProvisional, contradiction, link } from './refund-facts.ts';
import { CallState, isOurs, type Ledger, type OurRefund, RefundOrigin, RefundStatus } from './types.ts';

const ourPending = (ledger: Ledger, refundId: string): OurRefund | undefined => {
  const entry = ledger.refunds.find((e) => e.id === refundId);
  return entry && isOurs(entry) ? entry : undefined;
};

export type AttemptStart =
  | { kind: 'ready'; entry: OurRefund; attempt: number }
  /** Another attempt is running. */
  | { kind: 'busy'; entry: OurRefund }
  /** Settled, or linked to Mercado Pago's refund: nothing to send. */
  | { kind: 'known'; entry: OurRefund }
  /** Past its re-send window, or out of attempts: left to reads, rule (3), or a person. */
  | { kind: 'too_late'; entry: OurRefund }
  | { kind: 'gone' };

/**
 * Starts another attempt with the refund's key (a resume of the caller's request, or a re-send by
 * reconciliation): only when no attempt is running, within the re-send window, and under MAX_SEND_ATTEMPTS.
 * `lockUntil` is when this attempt will certainly have ended (its function's deadline and a margin).
 */
export const beginAttempt = (
  current: Ledger,
  refundId: string,
  lockUntil: string,
  context: RuleContext,
  why: string,
): LedgerChange<AttemptStart> => {
  const found = ourPending(current, refundId);
  if (!found) return unchanged({ kind: 'gone' });
  const nowMs = nowMsOf(context);
  if (found.status !== RefundStatus.Pending || found.mercadoPagoRefundId !== null)
    return unchanged({ kind: 'known', entry: found });
  if (callInFlight(found, nowMs)) return unchanged({ kind: 'busy', entry: found });
  if (!withinResendWindow(found, nowMs, context.settings) || found.call.attempts >= MAX_SEND_ATTEMPTS) {
    if (found.call.state !== CallState.InFlight) return unchanged({ kind: 'too_late', entry: found });
    // The attempt that died is over: recorded so, so that repeats answer the current state (no 409).
    const draft = draftOf(current, context);
    const entry = must(ourPending(draft.ledger, refundId), 'the refund is ours and pending');
    entry.call = { ...entry.call, state: CallState.Unknown };
    entry.updatedAt = context.now;
    note(
      draft,
      'refund_not_resent',
      `${entry.id}: its attempt ended without an answer; past its re-send window, not sent again`,
    );
    return finish(draft, { kind: 'too_late', entry: structuredClone(entry) });
  }
  const draft = draftOf(current, context);
  const entry = must(ourPending(draft.ledger, refundId), 'the refund is ours and pending');
  const attempt = entry.call.attempts + 1;
  entry.call = {
    state: CallState.InFlight,
    attempts: attempt,
    lastAttemptAt: context.now,
    inFlightUntil: lockUntil,
  };
  entry.updatedAt = context.now;
  note(draft, 'refund_resent', `${entry.id}: attempt ${attempt} with its Mercado Pago key (${why})`);
  return finish(draft, { kind: 'ready', entry: structuredClone(entry), attempt });
};

/** What one call with the refund's key ended with, as the Mercado Pago adapter classified it. */
export type RefundCallOutcome =
  /** A 2xx answer that is a refund (of any payment: checked here). */
  | { kind: 'answered'; refund: RefundFact; requestId?: string }
  /** Mercado Pago certainly refused it; `freesKey`: an unmapped refusal (502), the caller may reuse the key. */
  | { kind: 'refused'; failure: Failure; freesKey: boolean; requestId?: string }
  /** No try with this key can have reached Mercado Pago (503): nothing was done. */
  | { kind: 'not_sent'; detail: string }
  /** It may have acted: timeout after sending, lost answer, 5xx or 409/423 after retries, unreadable 2xx. */
  | { kind: 'unknown'; detail: string; requestId?: string };

export type RecordedCall =
  | { kind: 'recorded'; entry: OurRefund }
  /** `not_sent`: the reservation is gone; only the history keeps it. */
  | { kind: 'withdrawn' }
  | { kind: 'gone' };

const ended = (draft: Draft, entry: OurRefund, attempt: number): boolean => {
  // A later attempt is running: this one's non-answer says nothing about it.
  if (entry.call.attempts !== attempt) return false;
  entry.call = { ...entry.call, state: CallState.Unknown, inFlightUntil: draft.context.now };
  entry.updatedAt = draft.context.now;
  draft.changed = true;
  return true;
};

/** Records what attempt `attempt` of a refund's call ended with, under the evidence rules. */
export const recordRefundCall = (
  current: Ledger,
  refundId: string,
  attempt: number,
  outcome: RefundCallOutcome,
  context: RuleContext,
): LedgerChange<RecordedCall> => {
  if (!ourPending(current, refundId)) return unchanged({ kind: 'gone' });
  const draft = draftOf(current, context);
  const { ledger } = draft;
  const entry = must(ourPending(ledger, refundId), 'the refund is ours and pending');
  const result = (): RecordedCall => ({ kind: 'recorded', entry: structuredClone(entry) });

  switch (outcome.kind) {
    case 'answered': {
      const fact = outcome.refund;
      if (fact.subjectId !== null && fact.subjectId !== ledger.id) {
        // Not evidence: the outcome of our call stays unknown (settled later by a re-read).
        if (ended(draft, entry, attempt))
          note(
            draft,
            'refund_answer_not_evidence',
            `${entry.id}: the answer names ${fact.subjectId}, not ${ledger.id}`,
            outcome.requestId,
          );
        return finish(draft, result());
      }
      if (entry.mercadoPagoRefundId === fact.id) {
        applyToLinked(draft, entry, fact, outcome.requestId);
        return finish(draft, result());
      }
      const other = ledger.refunds.find((e) => e !== entry && e.mercadoPagoRefundId === fact.id);
      const open = entry.status === RefundStatus.Pending && entry.mercadoPagoRefundId === null;
      if (open && other?.origin === RefundOrigin.External && other.provisional) {
        // A record made while this refund could still be it: evidence wins over it (it was never published).
        ledger.refunds.splice(ledger.refunds.indexOf(other), 1);
        note(
          draft,
          'refund_external_withdrawn',
          `${other.id} was refund ${entry.id}: its own key's answer says so`,
          outcome.requestId,
        );
      } else if (other || !open) {
        // Final states are final and a link is never moved: a person looks at it. This refund is known to
        // be that one: no amount and date match may give it another.
        contradiction(draft, other ?? entry, fact, `was answered to refund ${entry.id}'s own call`);
        if (open) {
          entry.answeredWith = fact.id;
          ended(draft, entry, attempt);
        }
        confirmProvisional(draft);
        return finish(draft, result());
      }
      if (entry.call.state === CallState.InFlight && entry.call.attempts === attempt)
        entry.call = { ...entry.call, state: CallState.Unknown, inFlightUntil: context.now };
      link(
        draft,
        entry,
        fact,
        attempt === 1 ? 'the answer to its own call' : `the answer to attempt ${attempt} with its key`,
        outcome.requestId,
      );
      confirmProvisional(draft);
      return finish(draft, result());
    }
    case 'refused': {
      if (
        entry.status !== RefundStatus.Pending ||
        entry.mercadoPagoRefundId !== null ||
        entry.call.attempts !== attempt
      )
        return finish(draft, result());
      entry.failure = outcome.failure;
      if (outcome.freesKey) entry.keyFreed = true;
      entry.call = { ...entry.call, state: CallState.Unknown, inFlightUntil: context.now };
      settle(
        draft,
        entry,
        RefundStatus.Failed,
        `Mercado Pago refused it: ${outcome.failure.code}`,
        outcome.requestId,
      );
      confirmProvisional(draft);
      return finish(draft, result());
    }
    case 'not_sent': {
      if (
        entry.status !== RefundStatus.Pending ||
        entry.mercadoPagoRefundId !== null ||
        entry.call.attempts !== 1
      )
        return finish(draft, result());
      ledger.refunds.splice(ledger.refunds.indexOf(entry), 1);
      note(
        draft,
        'refund_not_sent',
        `${entry.id} (${entry.amountMinor} minor units, key ${entry.idempotencyKey}) withdrawn: ${outcome.detail}`,
      );
      confirmProvisional(draft);
      return finish(draft, { kind: 'withdrawn' });
    }
    case 'unknown': {
      if (
        entry.status === RefundStatus.Pending &&
        entry.mercadoPagoRefundId === null &&
        ended(draft, entry, attempt)
      )
        note(draft, 'refund_outcome_unknown', `${entry.id}: ${outcome.detail}`, outcome.requestId);
      return finish(draft, result());
    }
  }
};

/**
 * Refunds reconciliation re-sends with their own key now: ours, pending, not linked, no attempt running,
 * within the re-send window and under MAX_SEND_ATTEMPTS. Unrelated refunds on the payment never block it.
 */
export const refundsToResend = (ledger: Ledger, nowMs: number, settings: SettlementSettings): OurRefund[] =>
  ledger.refunds
    .filter(isOurs)
    .filter(
      (entry) =>
        entry.status === RefundStatus.Pending &&
        entry.mercadoPagoRefundId === null &&
        entry.answeredWith === undefined &&
        !callInFlight(entry, nowMs) &&
        withinResendWindow(entry, nowMs, settings) &&
        entry.call.attempts < MAX_SEND_ATTEMPTS,
    );
