/**
 * The one contract of every ledger rule: `LedgerChange<T>`, the next ledger to store (null: nothing to
 * write), the events that write makes, and the rule's own result. Rules work on a `Draft` (a copy of the
 * ledger plus what changed), so that every rule records history, events and the reconciliation schedule the
 * same way.
 */
import { actorName } from '../actor.ts';
import { isOpenOrderStatus } from '../order.ts';
import { nowMsOf, type RuleContext } from '../settings.ts';
import {
  type AttentionItem,
  AttentionKind,
  CancellationStatus,
  type ChargebackRecord,
  type HistoryEntry,
  type Ledger,
  LedgerKind,
  type OurRefund,
  type RefundEntry,
  RefundOrigin,
  RefundStatus,
} from './types.ts';

/** Something a write changed that the world hears about (events out, metrics, logs). */
export type LedgerEvent =
  | { kind: 'refund.settled'; refund: RefundEntry }
  | {
      kind: 'status.changed';
      status: string;
      statusDetail: string | null;
      previousStatus: string;
      at: string;
    }
  | { kind: 'cancellation.settled'; status: 'cancelled' | 'failed'; at: string }
  | { kind: 'attention.raised'; item: AttentionItem }
  /** A refund entry was added (ours reserved, or one made elsewhere recorded): the day index learns it. */
  | { kind: 'refund.recorded'; refund: RefundEntry }
  /** A chargeback was recorded or changed; `previous` is its status before (null: it is new). */
  | { kind: 'chargeback.changed'; chargeback: ChargebackRecord; previous: ChargebackRecord['status'] | null };

export interface LedgerChange<T> {
  /** The ledger to store, or null when nothing changed (nothing is written). */
  ledger: Ledger | null;
  events: LedgerEvent[];
  result: T;
}

/** History lines kept per ledger: the oldest go first (the item must stay small, see bench/README.md). */
export const MAX_HISTORY = 200;

export interface Draft {
  ledger: Ledger;
  events: LedgerEvent[];
  changed: boolean;
  context: RuleContext;
}

export const draftOf = (ledger: Ledger, context: RuleContext, isNew = false): Draft => ({
  ledger: structuredClone(ledger),
  events: [],
  changed: isNew,
  context,
});

export const unchanged = <T>(result: T): LedgerChange<T> => ({ ledger: null, events: [], result });

/** Two rules as one write: `next` runs on what `first` made (or on `base` when it changed nothing). */
export const andThen = <A, B>(
  first: LedgerChange<A>,
  base: Ledger,
  next: (ledger: Ledger, result: A) => LedgerChange<B>,
): LedgerChange<B> => {
  const second = next(first.ledger ?? base, first.result);
  return {
    ledger: second.ledger ?? first.ledger,
    events: [...first.events, ...second.events],
    result: second.result,
  };
};

/** Appends a history line (and marks the draft changed). */
export const note = (draft: Draft, change: string, detail: string, mercadoPagoRequestId?: string): void => {
  const entry: HistoryEntry = {
    at: draft.context.now,
    by: actorName(draft.context.by),
    change,
    detail,
    mercadoPagoRequestId,
  };
  draft.ledger.history.push(entry);
  if (draft.ledger.history.length > MAX_HISTORY)
    draft.ledger.history.splice(0, draft.ledger.history.length - MAX_HISTORY);
  draft.changed = true;
};

/** Records a finding for a person, once per key. */
export const raise = (draft: Draft, item: Omit<AttentionItem, 'since'>): void => {
  if (draft.ledger.attention.some((existing) => existing.key === item.key)) return;
  const full: AttentionItem = { ...item, since: draft.context.now };
  draft.ledger.attention.push(full);
  draft.events.push({ kind: 'attention.raised', item: full });
  note(draft, item.kind, item.detail);
};

/** Takes findings off the list for a person (a person settled them, or what they were about is gone). */
export const clearAttention = (
  draft: Draft,
  settled: (item: AttentionItem) => boolean,
  why: string,
): void => {
  const before = draft.ledger.attention.length;
  draft.ledger.attention = draft.ledger.attention.filter((item) => !settled(item));
  const cleared = before - draft.ledger.attention.length;
  if (cleared > 0) note(draft, 'attention_cleared', `${cleared} finding(s): ${why}`);
};

/**
 * An unknown status word is listed while its refund waits on it: once the refund settled (a later read, a
 * person), the finding is moot.
 */
const isMoot = (ledger: Ledger, item: AttentionItem): boolean =>
  item.kind === AttentionKind.RefundStatusUnknown &&
  !ledger.refunds.some((entry) => entry.id === item.refundId && entry.status === RefundStatus.Pending);

/** Moves a pending refund to its final state, with its event. */
export const settle = (
  draft: Draft,
  entry: RefundEntry,
  status: typeof RefundStatus.Succeeded | typeof RefundStatus.Failed,
  why: string,
  mercadoPagoRequestId?: string,
): void => {
  const now = draft.context.now;
  entry.status = status;
  entry.updatedAt = now;
  entry.settledAt = now;
  entry.settledBy = actorName(draft.context.by);
  if (status === RefundStatus.Succeeded) delete entry.failure;
  // A provisional record is published when it is confirmed (refund-facts.ts).
  if (!(entry.origin === 'external' && entry.provisional))
    draft.events.push({ kind: 'refund.settled', refund: structuredClone(entry) });
  note(draft, `refund_${status}`, `${entry.id}: ${why}`, mercadoPagoRequestId);
};

/** An order this service put on a till that is still open: re-read until it is paid, expired or cancelled. */
export const isOpenTillOrder = (ledger: Pick<Ledger, 'kind' | 'order' | 'status'>): boolean =>
  ledger.kind === LedgerKind.Order && ledger.order?.till !== undefined && isOpenOrderStatus(ledger.status);

export const hasPendingWork = (ledger: Ledger): boolean =>
  ledger.refunds.some((entry) => entry.status === RefundStatus.Pending) ||
  ledger.cancellation?.status === CancellationStatus.Pending ||
  isOpenTillOrder(ledger);

const firstCheckOf = (context: RuleContext): string =>
  new Date(nowMsOf(context) + context.settings.firstCheckAfterMs).toISOString();

/** New pending work: reconciliation looks at the ledger `firstCheckAfterMs` from now at the latest. */
export const scheduleNewWork = (draft: Draft): void => {
  const firstCheck = firstCheckOf(draft.context);
  const schedule = draft.ledger.schedule;
  if (schedule === undefined || firstCheck < schedule.nextCheckAt)
    draft.ledger.schedule = { nextCheckAt: firstCheck, checks: 0 };
  draft.changed = true;
};

/**
 * Margin between the end of the window in which a write may leave a ledger out of the due index and the
 * sweep's reading: a write sent before the window ends (by the store's clock) is stored by then, and so is
 * the reservation of every refund the sweep reads (API functions answer within the HTTP API's 30 s; a write
 * sent later, after its environment was frozen and thawed, is judged by the clock then and indexes the ledger).
 */
export const RESERVATIONS_LAND_WITHIN_MS = 30_000;

/** Where the sweep starts in a shard it never swept: refunds left to it exist only since this code runs. */
export const FIRST_SWEEP_LOOKBACK_MS = 86_400_000;

/**
 * Whether all the pending work of a ledger is refunds of ours reserved so recently that reconciliation's
 * sweep of the refunds-by-day index has still to pass them (it reads each refund created up to
 * `firstCheckAfterMs` ago, operations/sweep-new-refunds.ts): such a ledger stays out of the due-work index,
 * so a refund that settles at once costs no index write. The window is `firstCheckAfterMs` less the clock
 * tolerance (the sweep's clock may be ahead of the writer's) and less RESERVATIONS_LAND_WITHIN_MS. Anything
 * else pending (a cancellation, an open till order, a refund made elsewhere, an older refund, a refund the
 * sweep saw pending already) puts the ledger in the index as before.
 */
export const leftToTheSweep = (ledger: Ledger, context: Pick<RuleContext, 'now' | 'settings'>): boolean => {
  if (ledger.cancellation?.status === CancellationStatus.Pending || isOpenTillOrder(ledger)) return false;
  const window = sweepWindowMs(context.settings);
  const nowMs = nowMsOf(context);
  let pending = false;
  for (const entry of ledger.refunds) {
    if (entry.status !== RefundStatus.Pending) continue;
    if (entry.origin !== RefundOrigin.Api || entry.sweptPending) return false;
    if (nowMs >= Date.parse(entry.createdAt) + window) return false;
    pending = true;
  }
  return pending;
};

/**
 * When the window of the ledger's oldest pending refund ends (its `createdAt` plus the window): the store
 * leaves the ledger out of the index only while its own clock, at the moment of the write, is before it, so a
 * write delayed past the window (an environment frozen with the request unfinished and thawed later) still
 * indexes the ledger.
 */
export const sweepWindowEndOf = (ledger: Ledger, context: Pick<RuleContext, 'settings'>): string => {
  let earliest: number | undefined;
  for (const entry of ledger.refunds) {
    if (entry.status !== RefundStatus.Pending) continue;
    const created = Date.parse(entry.createdAt);
    if (earliest === undefined || created < earliest) earliest = created;
  }
  return new Date((earliest ?? 0) + sweepWindowMs(context.settings)).toISOString();
};

const sweepWindowMs = (settings: RuleContext['settings']): number =>
  settings.firstCheckAfterMs - settings.clockToleranceMs - RESERVATIONS_LAND_WITHIN_MS;

/**
 * Ends a rule: keeps the reconciliation schedule in step with the pending work (present exactly while
 * there is some, and marked while the sweep covers it: see leftToTheSweep), stamps `updatedAt`, and returns
 * the change.
 */
export const finish = <T>(draft: Draft, result: T): LedgerChange<T> => {
  if (!draft.changed) return { ledger: null, events: [], result };
  const { ledger, context } = draft;
  if (ledger.attention.some((item) => isMoot(ledger, item)))
    clearAttention(draft, (item) => isMoot(ledger, item), 'the refund it was about is settled');
  if (!hasPendingWork(ledger)) delete ledger.schedule;
  else {
    ledger.schedule ??= { nextCheckAt: firstCheckOf(context), checks: 0 };
    if (leftToTheSweep(ledger, context)) ledger.schedule.leftToSweepUntil = sweepWindowEndOf(ledger, context);
    else delete ledger.schedule.leftToSweepUntil;
  }
  ledger.updatedAt = context.now;
  return { ledger, events: draft.events, result };
};

/**
 * The sweep found a refund of the ledger still pending: each pending refund of ours is marked seen by the
 * sweep (so no later write, whatever its window, leaves the ledger out of the due index again), and a ledger
 * left to the sweep enters the index. Its result: whether the ledger was left to the sweep (it is due, and
 * no index has shown it yet: check it now).
 */
export const handOverToReconciliation = (current: Ledger, context: RuleContext): LedgerChange<boolean> => {
  const wasLeft = current.schedule?.leftToSweepUntil !== undefined;
  const unmarked = (entry: RefundEntry): entry is OurRefund =>
    entry.origin === RefundOrigin.Api && entry.status === RefundStatus.Pending && !entry.sweptPending;
  if (!wasLeft && !current.refunds.some(unmarked)) return { ledger: null, events: [], result: false };
  const draft = draftOf(current, context);
  for (const entry of draft.ledger.refunds) if (unmarked(entry)) entry.sweptPending = true;
  draft.changed = true;
  const change = finish(draft, wasLeft);
  // Only the index moved: `updatedAt` stays the time of the ledger's last real change.
  if (change.ledger) change.ledger.updatedAt = current.updatedAt;
  return change;
};
