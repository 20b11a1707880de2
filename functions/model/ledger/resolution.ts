/**
 * A person's decision on a refund or cancellation the rules could not settle (API.md, "Operations"), checked
 * against a fresh read of Mercado Pago applied in the same write:
 * - only once nothing can still bring evidence: no attempt running and past the re-send window;
 * - `succeeded` names a Mercado Pago refund this payment (order) shows, approved (or in a status word without
 *   a rule, which is what a person is asked to read in Mercado Pago's panel), of this refund's amount, that
 *   this refund could have made, and that no other refund of ours holds or could still prove is its own; a
 *   record of it as made elsewhere is withdrawn (re-attributed), so its money is counted once;
 * - `failed` is refused while Mercado Pago shows a refund that could be this one;
 * - the decision is stored with who and why (`resolution`), settles the refund like any outcome (its event
 *   carries the resolution) and takes the findings about it off the list for a person.
 * A repeat of the same request (its Idempotency-Key) answers the refund it resolved.
 */

import { actorName } from '../actor.ts';
import { RefusalCode } from '../codes.ts';
import type { RefundFact } from '../facts.ts';
import { must } from '../invariant.ts';
import { nowMsOf, type RuleContext } from '../settings.ts';
import { callInFlight, canOnlyBeMatched, couldHaveMade } from './attempts.ts';
import { settleRecord } from './cancellation.ts';
import {
  clearAttention,
  type Draft,
  draftOf,
  finish,
  type LedgerChange,
  note,
  settle,
  unchanged,
} from './change.ts';
import { candidatesFor, confirmProvisional, couldBeOfAmount, minorOf } from './refund-facts.ts';
import { normalizeDate, refundOutcomeOf } from './statuses.ts';
import {
  CallState,
  CancellationStatus,
  isOurs,
  type Ledger,
  type RefundEntry,
  RefundStatus,
  type Resolution,
} from './types.ts';

/** Who decides and the request that carries it (its key answers repeats). */
interface Decision {
  note: string;
  idempotencyKey: string;
  fingerprint: string;
}

export interface RefundDecision extends Decision {
  refundId: string;
  outcome: typeof RefundStatus.Succeeded | typeof RefundStatus.Failed;
  /** Required for `succeeded`: the Mercado Pago refund the person found to be this one. */
  mercadoPagoRefundId?: string;
}

/** What Mercado Pago shows now of the payment's (order's) refunds. */
export interface FreshRefunds {
  refunds: readonly RefundFact[];
}

export type RefundResolution =
  | { kind: 'resolved'; entry: RefundEntry }
  | { kind: 'not_found' }
  /** Settled before (by evidence, or another decision): final states are final. */
  | { kind: 'already_settled'; entry: RefundEntry; detail: string }
  /** Evidence may still come: an attempt running, or the re-send window open. */
  | { kind: 'too_early'; entry: RefundEntry; detail: string }
  /** Mercado Pago's read contradicts the decision. */
  | { kind: 'conflict'; entry: RefundEntry; detail: string };

const sameRequest = (resolution: Resolution | undefined, decision: Decision): boolean =>
  resolution?.idempotencyKey === decision.idempotencyKey;

const resolutionOf = (context: RuleContext, decision: Decision): Resolution => ({
  by: actorName(context.by),
  note: decision.note,
  at: context.now,
  idempotencyKey: decision.idempotencyKey,
  fingerprint: decision.fingerprint,
});

/** When evidence can still come for a refund of ours: its attempt's lock, or its re-send window. */
const tooEarly = (entry: RefundEntry, context: RuleContext): string | undefined => {
  if (!isOurs(entry)) return undefined;
  const nowMs = nowMsOf(context);
  if (callInFlight(entry, nowMs))
    return `An attempt of refund ${entry.id} with its own key may still be running (until ${entry.call.inFlightUntil}).`;
  if (!canOnlyBeMatched(entry, nowMs, context.settings)) {
    const until = new Date(Date.parse(entry.createdAt) + context.settings.resendWindowMs).toISOString();
    return `Refund ${entry.id} is within its re-send window until ${until}: reconciliation re-sends it with its own key, which settles it on evidence.`;
  }
  return undefined;
};

const describeFact = (fact: RefundFact, currency: string): string =>
  `Mercado Pago refund ${fact.id} (${fact.amount} ${currency}, ${fact.status}, created ${fact.dateCreated ?? 'at an unknown time'})`;

/**
 * The Mercado Pago refunds of this subject that could be `entry`: not held by another refund of ours, not
 * failed at Mercado Pago, of an amount and a date it could have made (or the one its own key's answer named).
 */
const couldBeIt = (draft: Draft, entry: RefundEntry, facts: readonly RefundFact[]): RefundFact[] =>
  facts.filter((fact) => {
    if (refundOutcomeOf(draft.ledger.kind, fact.status) === RefundStatus.Failed) return false;
    if (fact.id === entry.mercadoPagoRefundId) return true;
    // Its own key's answer named it: evidence that it is this refund's, even when another refund of ours holds
    // it (a contradiction for a person: never `failed`, which would have the buyer refunded twice).
    if (isOurs(entry) && fact.id === entry.answeredWith) return true;
    const holder = draft.ledger.refunds.find((e) => e.mercadoPagoRefundId === fact.id);
    if (holder && isOurs(holder)) return false;
    if (!isOurs(entry)) return false;
    return (
      couldBeOfAmount(entry, minorOf(draft, fact.amount)) &&
      couldHaveMade(entry, normalizeDate(fact.dateCreated), draft.context.settings.clockToleranceMs)
    );
  });

/** Why `succeeded` with this Mercado Pago refund cannot be right, or undefined when it can. */
const succeededConflict = (
  draft: Draft,
  entry: RefundEntry,
  fact: RefundFact | undefined,
  mercadoPagoRefundId: string,
): string | undefined => {
  const { ledger, context } = draft;
  if (entry.mercadoPagoRefundId !== null && entry.mercadoPagoRefundId !== mercadoPagoRefundId)
    return `Refund ${entry.id} is Mercado Pago refund ${entry.mercadoPagoRefundId} (on evidence), not ${mercadoPagoRefundId}.`;
  if (isOurs(entry) && entry.answeredWith !== undefined && entry.answeredWith !== mercadoPagoRefundId)
    return `Mercado Pago answered refund ${entry.id}'s own key with its refund ${entry.answeredWith}, not ${mercadoPagoRefundId}.`;
  if (fact === undefined)
    return `Mercado Pago does not show a refund ${mercadoPagoRefundId} on ${ledger.kind} ${ledger.id}.`;
  const word = refundOutcomeOf(ledger.kind, fact.status);
  if (word === RefundStatus.Failed)
    return `${describeFact(fact, ledger.currency)} did not go through: it cannot be a succeeded refund.`;
  if (word === RefundStatus.Pending)
    return `${describeFact(fact, ledger.currency)} is still in process at Mercado Pago: it settles on its own; recheck later.`;
  const holder = ledger.refunds.find((e) => e !== entry && e.mercadoPagoRefundId === fact.id);
  if (holder && isOurs(holder))
    return `Mercado Pago refund ${fact.id} is refund ${holder.id}'s (${holder.status}): one Mercado Pago refund is never counted twice.`;
  // Its own key's answer named this refund: evidence (API.md's (1)/(2)), whatever its amount and date.
  if (!isOurs(entry) || entry.answeredWith === fact.id) return undefined;
  const amountMinor = minorOf(draft, fact.amount);
  if (!couldBeOfAmount(entry, amountMinor))
    return `${describeFact(fact, ledger.currency)} is not of refund ${entry.id}'s amount (${entry.amountMinor} minor units).`;
  if (!couldHaveMade(entry, normalizeDate(fact.dateCreated), context.settings.clockToleranceMs))
    return `${describeFact(fact, ledger.currency)} was not made while refund ${entry.id} was being sent (reserved ${entry.createdAt}, last attempt ${entry.call.lastAttemptAt}).`;
  // Another refund of ours that can still prove, with its own key, that this Mercado Pago refund is its own.
  const rival = candidatesFor(draft, amountMinor, normalizeDate(fact.dateCreated)).find(
    (other) => other !== entry && !canOnlyBeMatched(other, nowMsOf(context), context.settings),
  );
  if (rival)
    return `Refund ${rival.id} could still prove with its own key that Mercado Pago refund ${fact.id} is its own: wait until its re-send window has passed.`;
  return undefined;
};

const resolveSucceeded = (
  draft: Draft,
  entry: RefundEntry,
  fact: RefundFact,
  decision: RefundDecision,
): void => {
  const { ledger, context } = draft;
  const resolution = resolutionOf(context, decision);
  const holder = ledger.refunds.find((e) => e !== entry && e.mercadoPagoRefundId === fact.id);
  if (holder) {
    // A record of it as made elsewhere: the person found it to be this refund. Withdrawn, so it counts once.
    ledger.refunds.splice(ledger.refunds.indexOf(holder), 1);
    resolution.reattributedFrom = holder.id;
    note(
      draft,
      'refund_reattributed',
      `${holder.id} (Mercado Pago refund ${fact.id}, recorded as made elsewhere) is refund ${entry.id}: withdrawn`,
    );
  }
  if (entry.mercadoPagoRefundId === null) {
    entry.mercadoPagoRefundId = fact.id;
    entry.linkedAt = context.now;
    note(draft, 'refund_linked', `${entry.id} is Mercado Pago refund ${fact.id} (a person's decision)`);
  }
  const amountMinor = minorOf(draft, fact.amount);
  if (amountMinor !== entry.amountMinor) {
    note(
      draft,
      'refund_amount_corrected',
      `${entry.id}: Mercado Pago shows ${fact.amount} (${amountMinor} minor units), the ledger held ${entry.amountMinor}`,
    );
    entry.amountMinor = amountMinor;
  }
  entry.mercadoPagoStatus = fact.status;
  if (isOurs(entry)) {
    delete entry.answeredWith;
    if (entry.call.state === CallState.InFlight) entry.call = { ...entry.call, state: CallState.Unknown };
  }
  entry.resolution = resolution;
  clearAttention(
    draft,
    (item) =>
      item.refundId === entry.id ||
      (holder !== undefined && item.refundId === holder.id) ||
      item.mercadoPagoRefundId === fact.id,
    `refund ${entry.id} resolved`,
  );
  settle(draft, entry, RefundStatus.Succeeded, `resolved by ${resolution.by}: ${decision.note}`);
};

const resolveFailed = (draft: Draft, entry: RefundEntry, decision: RefundDecision): void => {
  const resolution = resolutionOf(draft.context, decision);
  entry.resolution = resolution;
  entry.failure = {
    code: RefusalCode.RefundRejected,
    detail: `Settled as failed by a person after checking Mercado Pago: ${decision.note}`,
  };
  if (isOurs(entry) && entry.call.state === CallState.InFlight)
    entry.call = { ...entry.call, state: CallState.Unknown };
  clearAttention(draft, (item) => item.refundId === entry.id, `refund ${entry.id} resolved`);
  settle(draft, entry, RefundStatus.Failed, `resolved by ${resolution.by}: ${decision.note}`);
};

/**
 * A person's decision on a pending refund, on a ledger already brought up to date with `fresh` (the same
 * read, in the same write: see operations). Nothing is written unless the decision is recorded.
 */
export const resolveRefund = (
  current: Ledger,
  decision: RefundDecision,
  fresh: FreshRefunds,
  context: RuleContext,
): LedgerChange<RefundResolution> => {
  const found = current.refunds.find((e) => e.id === decision.refundId);
  if (!found) return unchanged({ kind: 'not_found' });
  if (found.status !== RefundStatus.Pending) {
    if (sameRequest(found.resolution, decision)) return unchanged({ kind: 'resolved', entry: found });
    const how = found.resolution
      ? `by ${found.resolution.by} at ${found.resolution.at}`
      : `by ${found.settledBy ?? 'the rules'}${found.settledAt ? ` at ${found.settledAt}` : ''}`;
    return unchanged({
      kind: 'already_settled',
      entry: found,
      detail: `Refund ${found.id} is already ${found.status} (${how}); final states are final.`,
    });
  }
  const early = tooEarly(found, context);
  if (early !== undefined) return unchanged({ kind: 'too_early', entry: found, detail: early });

  const draft = draftOf(current, context);
  const entry = must(
    draft.ledger.refunds.find((e) => e.id === decision.refundId),
    'the refund found is in the draft',
  );
  const facts = fresh.refunds.filter(
    (fact) => (fact.subjectId === null || fact.subjectId === current.id) && minorOf(draft, fact.amount) > 0,
  );
  if (decision.outcome === RefundStatus.Succeeded) {
    const wanted = decision.mercadoPagoRefundId;
    if (wanted === undefined)
      return unchanged({
        kind: 'conflict',
        entry: found,
        detail: 'A succeeded refund needs the Mercado Pago refund it is (mercadoPagoRefundId).',
      });
    const fact = facts.find((f) => f.id === wanted);
    const why = succeededConflict(draft, entry, fact, wanted);
    if (why !== undefined || fact === undefined)
      return unchanged({ kind: 'conflict', entry: found, detail: why ?? 'not shown' });
    resolveSucceeded(draft, entry, fact, decision);
  } else {
    const shown = couldBeIt(draft, entry, facts);
    if (shown.length > 0)
      return unchanged({
        kind: 'conflict',
        entry: found,
        detail: `Mercado Pago shows what could be refund ${entry.id}: ${shown
          .map((fact) => describeFact(fact, current.currency))
          .join('; ')}. If it is, resolve it succeeded with that id.`,
      });
    resolveFailed(draft, entry, decision);
  }
  confirmProvisional(draft);
  return finish(draft, { kind: 'resolved', entry: structuredClone(entry) });
};

export interface CancellationDecision extends Decision {
  outcome: 'cancelled' | 'not_cancelled';
}

export type CancellationResolution =
  | { kind: 'resolved' }
  | { kind: 'not_found' }
  | { kind: 'already_settled'; detail: string }
  | { kind: 'too_early'; detail: string }
  | { kind: 'conflict'; detail: string };

const isCancelledStatus = (status: string): boolean => status === 'cancelled' || status === 'canceled';

/**
 * A person's decision on a pending cancellation, checked against the subject's current status at Mercado
 * Pago (`status`, from the read applied in the same write).
 */
export const resolveCancellation = (
  current: Ledger,
  decision: CancellationDecision,
  status: string,
  context: RuleContext,
): LedgerChange<CancellationResolution> => {
  const record = current.cancellation;
  if (record === undefined) return unchanged({ kind: 'not_found' });
  if (record.status !== CancellationStatus.Pending) {
    if (sameRequest(record.resolution, decision)) return unchanged({ kind: 'resolved' });
    return unchanged({
      kind: 'already_settled',
      detail: `The cancellation is already ${record.status}${record.resolution ? ` (by ${record.resolution.by})` : ''}; final states are final.`,
    });
  }
  const nowMs = nowMsOf(context);
  if (
    record.call.state === CallState.InFlight &&
    record.call.inFlightUntil !== undefined &&
    Date.parse(record.call.inFlightUntil) > nowMs
  )
    return unchanged({
      kind: 'too_early',
      detail: `A cancellation attempt may still be running (until ${record.call.inFlightUntil}).`,
    });
  if (nowMs - Date.parse(record.createdAt) <= context.settings.resendWindowMs) {
    const until = new Date(Date.parse(record.createdAt) + context.settings.resendWindowMs).toISOString();
    return unchanged({
      kind: 'too_early',
      detail: `The cancellation is within its re-send window until ${until}: reconciliation re-sends it with its own key.`,
    });
  }
  const cancelled = isCancelledStatus(status);
  if (decision.outcome === 'cancelled' && !cancelled)
    return unchanged({
      kind: 'conflict',
      detail: `Mercado Pago shows the ${current.kind} ${status}, not cancelled.`,
    });
  if (decision.outcome === 'not_cancelled' && cancelled)
    return unchanged({ kind: 'conflict', detail: `Mercado Pago shows the ${current.kind} cancelled.` });
  const draft = draftOf(current, context);
  const resolution = resolutionOf(context, decision);
  const stored = must(draft.ledger.cancellation, 'the pending cancellation is in the draft');
  stored.resolution = resolution;
  stored.call = { ...stored.call, state: CallState.Unknown };
  if (decision.outcome === 'cancelled') {
    settleRecord(draft, CancellationStatus.Cancelled, `resolved by ${resolution.by}: ${decision.note}`);
  } else {
    settleRecord(draft, CancellationStatus.Failed, `resolved by ${resolution.by}: ${decision.note}`, {
      code: RefusalCode.PaymentNotCancellable,
      detail: `Settled as not cancelled by a person after checking Mercado Pago: ${decision.note}`,
    });
  }
  return finish(draft, { kind: 'resolved' });
};
