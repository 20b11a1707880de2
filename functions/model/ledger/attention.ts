/**
 * What a ledger holds for a person (GET /ops/attention): work pending longer than ATTENTION_AFTER_SECONDS,
 * and the findings the rules recorded (contradictions, status words without a rule). Each item says since
 * when, what is known, and what to do, in the words of the operations routes and `npm run ops`.
 */
import { nowMsOf, type SettlementSettings } from '../settings.ts';
import { callInFlight, withinResendWindow } from './attempts.ts';
import {
  type AttentionItem,
  AttentionKind,
  CallState,
  CancellationStatus,
  isOurs,
  type Ledger,
  type OurRefund,
  type RefundEntry,
  RefundStatus,
} from './types.ts';
import { subjectField } from './view.ts';

export const PendingKind = {
  RefundPendingTooLong: 'refund_pending_too_long',
  CancellationPendingTooLong: 'cancellation_pending_too_long',
} as const;

export type LedgerAttentionKind = AttentionKind | (typeof PendingKind)[keyof typeof PendingKind];

/** One item of the attention list, about a payment or an order. */
export interface LedgerAttentionItem {
  kind: LedgerAttentionKind;
  paymentId?: string;
  orderId?: string;
  refundId?: string;
  since: string;
  detail: string;
  suggestedAction: string;
  /** Orders the list: a stable key per item (the same finding keeps it). */
  key: string;
}

/** A command of `npm run ops`, quoted so it reads (and wraps) as one. */
const ops = (...words: string[]): string => `\`npm run ops -- ${words.join(' ')}\``;

const resolveCommand = (ledger: Ledger, refundId: string, outcome: string): string =>
  ops(
    'resolve',
    ledger.id,
    refundId,
    outcome,
    ...(outcome === 'succeeded' ? ['--mp-refund <id>'] : []),
    '--note "..."',
  );

const pendingRefundItem = (
  ledger: Ledger,
  entry: RefundEntry,
  nowMs: number,
  settings: SettlementSettings,
): LedgerAttentionItem => {
  const common = {
    kind: PendingKind.RefundPendingTooLong,
    ...subjectField(ledger),
    refundId: entry.id,
    since: entry.createdAt,
    key: `${ledger.id}:pending:${entry.id}`,
  };
  const history = ops('history', ledger.id);
  if (!isOurs(entry) || entry.mercadoPagoRefundId !== null) {
    const word = entry.mercadoPagoStatus ?? 'in process';
    return {
      ...common,
      detail: `Refund ${entry.id} (${entry.origin}) is Mercado Pago refund ${entry.mercadoPagoRefundId}, which Mercado Pago still shows "${word}".`,
      suggestedAction: `Mercado Pago settles it: ${ops('recheck', ledger.id)} to read it again now; if Mercado Pago's panel shows it done or rejected and a recheck does not, ${resolveCommand(ledger, entry.id, 'succeeded')} (or failed).`,
    };
  }
  const ours: OurRefund = entry;
  const attempts = `${ours.call.attempts} attempt(s) with its own key, the last at ${ours.call.lastAttemptAt}`;
  if (
    callInFlight(ours, nowMs) ||
    (withinResendWindow(ours, nowMs, settings) && ours.call.state !== CallState.Accepted)
  )
    return {
      ...common,
      detail: `Refund ${entry.id}'s outcome is unknown (${attempts}); it can still be re-sent with its key.`,
      suggestedAction: `${ops('recheck', ledger.id)} re-reads the payment and re-sends it with its own key; ${history} shows its attempts.`,
    };
  const answered = ours.answeredWith
    ? ` Mercado Pago answered its own key with refund ${ours.answeredWith}, which the ledger holds for another refund (see the contradiction listed).`
    : '';
  return {
    ...common,
    detail: `Refund ${entry.id}'s outcome is unknown (${attempts}) and its re-send window has passed: no rule can settle it.${answered}`,
    suggestedAction: `Read ${history}, then look for a refund of ${ledger.kind} ${ledger.id} made around ${entry.createdAt} in Mercado Pago's panel: if there is one, ${resolveCommand(ledger, entry.id, 'succeeded')}; if there is none, ${resolveCommand(ledger, entry.id, 'failed')}.`,
  };
};

const findingItem = (ledger: Ledger, item: AttentionItem): LedgerAttentionItem => {
  const common = {
    kind: item.kind,
    ...subjectField(ledger),
    refundId: item.refundId,
    since: item.since,
    detail: item.detail,
    key: `${ledger.id}:finding:${item.key}`,
  };
  if (item.kind === AttentionKind.ChargebackDeadline)
    return {
      ...common,
      suggestedAction: `Send the evidence for this chargeback through Mercado Pago's panel before its deadline (the case and its deadline are in the detail; ${ops('history', ledger.id)} tells the payment's story); the item goes once the case's documentation is received or the case is decided.`,
    };
  if (item.kind === AttentionKind.RefundStatusUnknown)
    return {
      ...common,
      suggestedAction: `Look at Mercado Pago refund ${item.mercadoPagoRefundId} in Mercado Pago's panel; once past its re-send window, ${resolveCommand(ledger, item.refundId ?? '<refund id>', 'succeeded')} if it is done, or failed if it is not.`,
    };
  // The answer to a pending refund's own key named a refund the ledger holds for another one.
  const waiting = ledger.refunds.find(
    (entry) =>
      isOurs(entry) &&
      entry.status === RefundStatus.Pending &&
      entry.answeredWith === item.mercadoPagoRefundId,
  );
  if (waiting)
    return {
      ...common,
      refundId: waiting.id,
      suggestedAction: `Mercado Pago answered refund ${waiting.id}'s own key with refund ${item.mercadoPagoRefundId}: if the panel confirms it is that refund, ${ops('resolve', ledger.id, waiting.id, 'succeeded', `--mp-refund ${item.mercadoPagoRefundId}`, '--note "..."')} (a record of it as made elsewhere is withdrawn, so it counts once).`,
    };
  return {
    ...common,
    suggestedAction: `Nothing was changed (final states are final): compare ${ops('history', ledger.id)} with Mercado Pago's panel and ask Mercado Pago support about refund ${item.mercadoPagoRefundId}.`,
  };
};

/** What this ledger holds for a person at `now`, oldest first. */
export const attentionOf = (
  ledger: Ledger,
  now: string,
  attentionAfterMs: number,
  settings: SettlementSettings,
): LedgerAttentionItem[] => {
  const nowMs = nowMsOf({ now });
  const overdue = (since: string) => nowMs - Date.parse(since) > attentionAfterMs;
  const items: LedgerAttentionItem[] = [];
  for (const entry of ledger.refunds) {
    if (entry.status === RefundStatus.Pending && overdue(entry.createdAt))
      items.push(pendingRefundItem(ledger, entry, nowMs, settings));
  }
  const cancellation = ledger.cancellation;
  if (cancellation?.status === CancellationStatus.Pending && overdue(cancellation.createdAt))
    items.push({
      kind: PendingKind.CancellationPendingTooLong,
      ...subjectField(ledger),
      since: cancellation.createdAt,
      detail: `The cancellation's outcome is unknown (${cancellation.call.attempts} attempt(s), the last at ${cancellation.call.lastAttemptAt}); Mercado Pago's status as last read: ${ledger.status}.`,
      suggestedAction: `${ops('recheck', ledger.id)} reads the status again; if it stays ${ledger.status}, look at ${ledger.kind} ${ledger.id} in Mercado Pago's panel, then ${ops('resolve', ledger.id, 'cancellation', 'cancelled|not_cancelled', '--note "..."')}.`,
      key: `${ledger.id}:pending:cancellation`,
    });
  for (const item of ledger.attention) items.push(findingItem(ledger, item));
  return items.sort(attentionOrder);
};

/** Oldest first; ties by key, so pages never repeat or skip an item. */
export const attentionOrder = (
  a: { since: string; key: string },
  b: { since: string; key: string },
): number => (a.since === b.since ? a.key.localeCompare(b.key) : a.since.localeCompare(b.since));
