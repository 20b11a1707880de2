/**
 * Applying what Mercado Pago reports about refunds to a ledger, under API.md's evidence rules:
 * - a refund already linked to an entry brings that entry up to date (final states stay final; only
 *   amounts follow Mercado Pago; a contradiction is listed for a person);
 * - a refund linked to nothing is held while a pending refund of ours of the same amount (or a full refund
 *   sent as `{}`, of up to its amount) could still be it, is linked to the oldest such refund only once none
 *   of them can get evidence of its own any more (rule 3), and is otherwise a refund made elsewhere;
 * - a linked refund that a fresh read no longer shows is a contradiction.
 */

import { RefusalCode } from '../codes.ts';
import type { RefundFact } from '../facts.ts';
import { decimalsOf, roundToMinorUnits } from '../money.ts';
import { nowMsOf } from '../settings.ts';
import { canOnlyBeMatched, couldHaveMade } from './attempts.ts';
import { type Draft, note, raise, settle } from './change.ts';
import { normalizeDate, refundOutcomeOf } from './statuses.ts';
import {
  AttentionKind,
  CallState,
  type ExternalRefund,
  isOurs,
  type OurRefund,
  type RefundEntry,
  RefundOrigin,
  RefundStatus,
} from './types.ts';

export const minorOf = (draft: Draft, amount: number): number =>
  roundToMinorUnits(amount, decimalsOf(draft.ledger.currency));

const byCreation = (a: RefundFact, b: RefundFact): number => {
  const at = a.dateCreated ?? '';
  const bt = b.dateCreated ?? '';
  return at === bt ? a.id.localeCompare(b.id, 'en', { numeric: true }) : at.localeCompare(bt);
};

/**
 * The amounts a refund of ours can have made: exactly what it asked for, or, for a full refund sent as `{}`,
 * whatever Mercado Pago had left then (a refund made elsewhere meanwhile leaves less).
 */
export const couldBeOfAmount = (entry: OurRefund, amountMinor: number): boolean =>
  entry.sendsEmptyBody
    ? amountMinor > 0 && amountMinor <= entry.amountMinor
    : entry.amountMinor === amountMinor;

const oldestFirst = (a: OurRefund, b: OurRefund): number =>
  a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt);

export const contradiction = (draft: Draft, entry: RefundEntry, fact: RefundFact, what: string): void =>
  raise(draft, {
    kind: AttentionKind.SettlementContradiction,
    key: `contradiction:${entry.id}:${fact.id}:${what}`,
    refundId: entry.id,
    mercadoPagoRefundId: fact.id,
    detail: `Mercado Pago refund ${fact.id} ${what}; refund ${entry.id} is ${entry.status}. Nothing was changed.`,
  });

/** Brings an entry up to date with the refund it is linked to. */
export const applyToLinked = (
  draft: Draft,
  entry: RefundEntry,
  fact: RefundFact,
  mercadoPagoRequestId?: string,
): void => {
  const amountMinor = minorOf(draft, fact.amount);
  if (amountMinor > 0 && amountMinor !== entry.amountMinor) {
    note(
      draft,
      'refund_amount_corrected',
      `${entry.id}: Mercado Pago shows ${fact.amount} (${amountMinor} minor units), the ledger held ${entry.amountMinor}`,
      mercadoPagoRequestId,
    );
    entry.amountMinor = amountMinor;
    entry.updatedAt = draft.context.now;
  }
  const word = refundOutcomeOf(draft.ledger.kind, fact.status);
  if (entry.status !== RefundStatus.Pending) {
    if ((word === RefundStatus.Succeeded || word === RefundStatus.Failed) && word !== entry.status)
      contradiction(draft, entry, fact, `now shows ${fact.status}`);
    return;
  }
  if (entry.mercadoPagoStatus !== fact.status) {
    entry.mercadoPagoStatus = fact.status;
    entry.updatedAt = draft.context.now;
    draft.changed = true;
  }
  if (word === RefundStatus.Succeeded) {
    settle(draft, entry, RefundStatus.Succeeded, `Mercado Pago ${fact.status}`, mercadoPagoRequestId);
  } else if (word === RefundStatus.Failed) {
    entry.failure = { code: RefusalCode.RefundRejected, detail: `Mercado Pago ${fact.status} the refund.` };
    settle(draft, entry, RefundStatus.Failed, `Mercado Pago ${fact.status}`, mercadoPagoRequestId);
  } else if (word === 'unknown') {
    raise(draft, {
      kind: AttentionKind.RefundStatusUnknown,
      key: `unknown:${entry.id}:${fact.status}`,
      refundId: entry.id,
      mercadoPagoRefundId: fact.id,
      detail: `Mercado Pago reports refund ${fact.id} as "${fact.status}", a status without a rule: left pending.`,
    });
  } else if (isOurs(entry) && entry.call.state !== CallState.Accepted) {
    entry.call = { ...entry.call, state: CallState.Accepted };
    draft.changed = true;
  }
};

/** Links a refund of ours to a Mercado Pago refund (the evidence is the caller's to establish). */
export const link = (
  draft: Draft,
  entry: OurRefund,
  fact: RefundFact,
  evidence: string,
  mercadoPagoRequestId?: string,
): void => {
  entry.mercadoPagoRefundId = fact.id;
  entry.linkedAt = draft.context.now;
  entry.updatedAt = draft.context.now;
  note(
    draft,
    'refund_linked',
    `${entry.id} is Mercado Pago refund ${fact.id} (${evidence})`,
    mercadoPagoRequestId,
  );
  applyToLinked(draft, entry, fact, mercadoPagoRequestId);
};

const recordExternal = (
  draft: Draft,
  fact: RefundFact,
  provisional: boolean,
  mercadoPagoRequestId?: string,
): void => {
  const { now } = draft.context;
  const entry: ExternalRefund = {
    id: draft.context.newRefundId(),
    origin: RefundOrigin.External,
    amountMinor: minorOf(draft, fact.amount),
    status: RefundStatus.Pending,
    mercadoPagoRefundId: fact.id,
    linkedAt: now,
    createdAt: normalizeDate(fact.dateCreated) ?? now,
    updatedAt: now,
    ...(provisional ? { provisional: true } : {}),
    ...(fact.transactionId ? { transactionId: fact.transactionId } : {}),
  };
  draft.ledger.refunds.push(entry);
  draft.events.push({ kind: 'refund.recorded', refund: structuredClone(entry) });
  note(
    draft,
    'refund_recorded_external',
    `Mercado Pago refund ${fact.id} was made outside this service: ${entry.id}${provisional ? ' (provisional: a refund of ours of that amount could still be it)' : ''}`,
    mercadoPagoRequestId,
  );
  applyToLinked(draft, entry, fact, mercadoPagoRequestId);
};

/** An order's refund of one payment transaction cannot be a refund of ours of another one. */
const sameTransaction = (entry: OurRefund, transactionId: string | null | undefined): boolean =>
  !transactionId || entry.transactionId === undefined || entry.transactionId === transactionId;

/** Refunds of ours that a Mercado Pago refund of this amount, made then, could be (oldest first). */
export const candidatesFor = (
  draft: Draft,
  amountMinor: number,
  created: string | null,
  exactAmount = false,
  transactionId?: string | null,
): OurRefund[] =>
  draft.ledger.refunds
    .filter(isOurs)
    .filter(
      (entry) =>
        entry.status === RefundStatus.Pending &&
        entry.mercadoPagoRefundId === null &&
        entry.answeredWith === undefined &&
        (exactAmount ? entry.amountMinor === amountMinor : couldBeOfAmount(entry, amountMinor)) &&
        sameTransaction(entry, transactionId) &&
        couldHaveMade(entry, created, draft.context.settings.clockToleranceMs),
    )
    .sort(oldestFirst);

/**
 * Confirms the provisional records that no refund of ours can be any more (and publishes those already
 * settled): called at the end of every rule that may have settled or linked a refund of ours.
 */
export const confirmProvisional = (draft: Draft): void => {
  for (const entry of draft.ledger.refunds) {
    if (entry.origin !== RefundOrigin.External || !entry.provisional) continue;
    if (candidatesFor(draft, entry.amountMinor, entry.createdAt, false, entry.transactionId).length > 0)
      continue;
    delete entry.provisional;
    entry.updatedAt = draft.context.now;
    note(
      draft,
      'refund_external_confirmed',
      `${entry.id} (Mercado Pago refund ${entry.mercadoPagoRefundId}) is made elsewhere`,
    );
    if (entry.status !== RefundStatus.Pending)
      draft.events.push({ kind: 'refund.settled', refund: structuredClone(entry) });
  }
};

export interface RefundFactsRead {
  refunds: readonly RefundFact[];
  /** ISO: when the read arrived. */
  at: string;
  /** The read is older than what the ledger recorded (its status was not applied). */
  stale: boolean;
  /** The read lists only some of the refunds (a report row): a linked refund it does not show is no news. */
  partial?: boolean;
  requestId?: string;
}

/** Applies a read's refunds; answers the Mercado Pago refunds it holds for a pending refund of ours. */
export const applyRefundFacts = (draft: Draft, read: RefundFactsRead): string[] => {
  const { ledger, context } = draft;
  const tolerance = context.settings.clockToleranceMs;
  const nowMs = nowMsOf(context);
  const held: string[] = [];
  const spoken = new Set<string>();
  // A refund naming another payment, or of no positive amount, is not evidence of anything here.
  const facts = read.refunds.filter(
    (fact) => (fact.subjectId === null || fact.subjectId === ledger.id) && minorOf(draft, fact.amount) > 0,
  );
  for (const fact of [...facts].sort(byCreation)) {
    const linked = ledger.refunds.find((entry) => entry.mercadoPagoRefundId === fact.id);
    if (linked) {
      applyToLinked(draft, linked, fact, read.requestId);
      continue;
    }
    const amountMinor = minorOf(draft, fact.amount);
    const created = normalizeDate(fact.dateCreated);
    const all = candidatesFor(draft, amountMinor, created, false, fact.transactionId);
    const candidates = all.filter((entry) => !spoken.has(entry.id));
    const oldest = candidates[0];
    if (oldest === undefined) {
      // More such refunds than refunds of ours that could be them: one of ours may still prove it is this one.
      recordExternal(draft, fact, all.length > 0, read.requestId);
      continue;
    }
    spoken.add(oldest.id);
    // Rule (3) matches the exact amount only: a full refund's `{}` range is for holding, not for guessing;
    // and only a refund whose creation date is known, since it must be shown made after our reservation
    // (Orders API refunds carry no date: such a refund is held for a person, never linked by rule).
    if (
      oldest.amountMinor === amountMinor &&
      created !== null &&
      candidates.every((entry) => canOnlyBeMatched(entry, nowMs, context.settings))
    ) {
      link(
        draft,
        oldest,
        fact,
        'the oldest refund of this amount whose outcome is unknown (rule 3)',
        read.requestId,
      );
    } else {
      held.push(fact.id);
    }
  }
  confirmProvisional(draft);
  if (!read.stale && !read.partial) {
    const shown = new Set(facts.map((fact) => fact.id));
    const readMs = Date.parse(read.at);
    for (const entry of ledger.refunds) {
      if (entry.mercadoPagoRefundId === null || shown.has(entry.mercadoPagoRefundId)) continue;
      if (entry.linkedAt === undefined || Date.parse(entry.linkedAt) > readMs - tolerance) continue;
      contradiction(
        draft,
        entry,
        { id: entry.mercadoPagoRefundId, subjectId: ledger.id, amount: 0, status: '', dateCreated: null },
        'is no longer shown by Mercado Pago',
      );
    }
  }
  return held;
};
