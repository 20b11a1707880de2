/**
 * A settlement report row applied to a ledger (API.md, "Reports"). A refund row is a read of Mercado Pago
 * about that one refund: by its Mercado Pago refund id it settles a pending refund `succeeded` and corrects a
 * linked refund's amount (an `amount_mismatch`); an id no refund holds goes through the settlement rules
 * (rule 3, held, or recorded as made elsewhere); a row without an id matches the succeeded refund of that
 * amount that no other row matched, closest in time, else the caller re-reads the payment and applies it
 * again (`afterRead`), after which a row matching nothing is `unknown`. Chargeback and dispute rows record
 * the case. Each row is recorded on the ledger (a sighting), so running a report again changes nothing.
 */
import { decimalsOf, roundToMinorUnits } from '../money.ts';
import type { RuleContext } from '../settings.ts';
import { type Draft, draftOf, finish, type LedgerChange, note } from './change.ts';
import { recordChargebackRow } from './chargebacks.ts';
import { applyRefundFacts, applyToLinked } from './refund-facts.ts';
import {
  ChargebackKind,
  type Ledger,
  LedgerKind,
  type RefundEntry,
  RefundOrigin,
  RefundStatus,
  type ReportSighting,
  SightingOutcome,
  SightingType,
} from './types.ts';

/** A row of the report, reduced to what reconciliation reads (model/reports/rows.ts builds it). */
export interface ReportRowFacts {
  /** Identifies the row (reruns find it). */
  key: string;
  /** The report's UTC day. */
  day: string;
  type: SightingType;
  /** The refund's (METADATA `refund_id`) or case's (`chargeback_id`) Mercado Pago id, when the row names it. */
  mercadoPagoId: string | null;
  /** Major units, as written (any sign). */
  amount: number;
  /** ISO-8601 UTC: TRANSACTION_DATE, or null. */
  date: string | null;
}

export type RowApplied =
  /** The row was applied by an earlier run: what it did then. */
  | { kind: 'seen'; sighting: ReportSighting }
  | { kind: 'matched'; refundId: string; mercadoPagoId: string | null }
  | {
      kind: 'amount_mismatch';
      refundId: string;
      mercadoPagoId: string;
      ledgerAmountMinor: number;
      reportAmountMinor: number;
    }
  | { kind: 'recorded_external'; refundId: string; mercadoPagoId: string }
  /** A pending refund of ours may still prove it is this one: it stays held (counted through it). */
  | { kind: 'held'; mercadoPagoId: string }
  /** No id and nothing of that amount: re-read the payment, then apply again with `afterRead`. */
  | { kind: 'needs_read' }
  | { kind: 'unknown'; amountMinor: number }
  | { kind: 'chargeback'; chargebackId: string; recorded: boolean };

const byCreation = (a: RefundEntry, b: RefundEntry) =>
  a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt);

const sight = (draft: Draft, row: ReportRowFacts, sighting: Omit<ReportSighting, 'key' | 'day' | 'type'>) => {
  const full: ReportSighting = { key: row.key, day: row.day, type: row.type, ...sighting };
  draft.ledger.reported ??= [];
  draft.ledger.reported.push(full);
  note(
    draft,
    'report_row',
    `${row.day} ${row.type} ${sighting.mercadoPagoId ?? '(no id)'} of ${sighting.amountMinor} minor units: ${sighting.outcome}${sighting.refundId ? ` (${sighting.refundId})` : ''}`,
  );
};

/** The succeeded refund a row without an id is: same amount, matched by no other row, closest in time. */
const byAmount = (ledger: Ledger, amountMinor: number, date: string | null): RefundEntry | undefined => {
  const taken = new Set((ledger.reported ?? []).map((s) => s.refundId).filter(Boolean));
  const at = date === null ? Number.NaN : Date.parse(date);
  const distance = (entry: RefundEntry) =>
    Number.isNaN(at) ? 0 : Math.abs(Date.parse(entry.createdAt) - at);
  return ledger.refunds
    .filter(
      (entry) =>
        entry.status === RefundStatus.Succeeded && entry.amountMinor === amountMinor && !taken.has(entry.id),
    )
    .sort((a, b) => distance(a) - distance(b) || byCreation(a, b))[0];
};

export interface RowOptions {
  /** The payment was just re-read (a row without a match gets no second chance). */
  afterRead: boolean;
  /**
   * The refunds the ledger held before that read: one the read itself recorded as made elsewhere is this
   * row's news (`recorded_external`), not a match of a refund already known.
   */
  knownBefore?: ReadonlySet<string>;
}

export const applyReportRow = (
  current: Ledger,
  row: ReportRowFacts,
  context: RuleContext,
  options: RowOptions = { afterRead: false },
): LedgerChange<RowApplied> => {
  const newlyExternal = (entry: RefundEntry) =>
    options.knownBefore !== undefined &&
    entry.origin === RefundOrigin.External &&
    !options.knownBefore.has(entry.id);
  const seen = current.reported?.find((s) => s.key === row.key);
  if (seen !== undefined) return { ledger: null, events: [], result: { kind: 'seen', sighting: seen } };
  const draft = draftOf(current, context);
  const { ledger } = draft;
  const amountMinor = roundToMinorUnits(Math.abs(row.amount), decimalsOf(ledger.currency));

  if (row.type !== SightingType.Refund) {
    const kind = row.type === SightingType.Dispute ? ChargebackKind.Dispute : ChargebackKind.Chargeback;
    const chargebackId = row.mercadoPagoId ?? `${kind}:${row.key}`;
    const recorded = recordChargebackRow(draft, { id: chargebackId, kind, amountMinor, date: row.date });
    sight(draft, row, {
      mercadoPagoId: chargebackId,
      amountMinor,
      outcome: recorded ? SightingOutcome.Recorded : SightingOutcome.Matched,
    });
    return finish(draft, { kind: 'chargeback', chargebackId, recorded });
  }

  // An order's ledger links Orders API refund ids; which id a report row names for an order refund is
  // unsettled (NOTES): an id the ledger does not hold is read as a row without one (matched by amount, or
  // the order is re-read), never recorded as a refund of its own.
  const id =
    ledger.kind === LedgerKind.Order &&
    row.mercadoPagoId !== null &&
    !ledger.refunds.some((entry) => entry.mercadoPagoRefundId === row.mercadoPagoId)
      ? null
      : row.mercadoPagoId;
  if (id !== null) {
    const fact = {
      id,
      subjectId: ledger.id,
      amount: Math.abs(row.amount),
      status: 'approved',
      dateCreated: row.date,
    };
    const linked = ledger.refunds.find((entry) => entry.mercadoPagoRefundId === id);
    if (linked !== undefined && newlyExternal(linked)) {
      sight(draft, row, {
        mercadoPagoId: id,
        refundId: linked.id,
        amountMinor,
        outcome: SightingOutcome.RecordedExternal,
      });
      return finish(draft, { kind: 'recorded_external', refundId: linked.id, mercadoPagoId: id });
    }
    if (linked !== undefined) {
      const was = linked.amountMinor;
      applyToLinked(draft, linked, fact);
      const mismatch = was !== amountMinor;
      sight(draft, row, {
        mercadoPagoId: id,
        refundId: linked.id,
        amountMinor,
        outcome: mismatch ? SightingOutcome.AmountMismatch : SightingOutcome.Matched,
      });
      return finish(
        draft,
        mismatch
          ? {
              kind: 'amount_mismatch',
              refundId: linked.id,
              mercadoPagoId: id,
              ledgerAmountMinor: was,
              reportAmountMinor: amountMinor,
            }
          : { kind: 'matched', refundId: linked.id, mercadoPagoId: id },
      );
    }
    applyRefundFacts(draft, { refunds: [fact], at: context.now, stale: false, partial: true });
    const entry = ledger.refunds.find((e) => e.mercadoPagoRefundId === id);
    if (entry === undefined) {
      sight(draft, row, { mercadoPagoId: id, amountMinor, outcome: SightingOutcome.Held });
      return finish(draft, { kind: 'held', mercadoPagoId: id });
    }
    const external = entry.origin === RefundOrigin.External;
    sight(draft, row, {
      mercadoPagoId: id,
      refundId: entry.id,
      amountMinor,
      outcome: external ? SightingOutcome.RecordedExternal : SightingOutcome.Matched,
    });
    return finish(
      draft,
      external
        ? { kind: 'recorded_external', refundId: entry.id, mercadoPagoId: id }
        : { kind: 'matched', refundId: entry.id, mercadoPagoId: id },
    );
  }

  const match = byAmount(ledger, amountMinor, row.date);
  if (match !== undefined && match.mercadoPagoRefundId !== null && newlyExternal(match)) {
    sight(draft, row, {
      mercadoPagoId: match.mercadoPagoRefundId,
      refundId: match.id,
      amountMinor,
      outcome: SightingOutcome.RecordedExternal,
    });
    return finish(draft, {
      kind: 'recorded_external',
      refundId: match.id,
      mercadoPagoId: match.mercadoPagoRefundId,
    });
  }
  if (match !== undefined) {
    sight(draft, row, {
      mercadoPagoId: match.mercadoPagoRefundId,
      refundId: match.id,
      amountMinor,
      outcome: SightingOutcome.Matched,
    });
    return finish(draft, { kind: 'matched', refundId: match.id, mercadoPagoId: match.mercadoPagoRefundId });
  }
  if (!options.afterRead) return { ledger: null, events: [], result: { kind: 'needs_read' } };
  sight(draft, row, { mercadoPagoId: null, amountMinor, outcome: SightingOutcome.Unknown });
  return finish(draft, { kind: 'unknown', amountMinor });
};

/** Whether a report row was seen for this refund (API.md's `matched` reconciliation state). */
export const reportedRefund = (
  ledger: Pick<Ledger, 'reported'>,
  entry: RefundEntry,
): ReportSighting | undefined =>
  ledger.reported?.find(
    (s) =>
      s.type === SightingType.Refund &&
      s.outcome !== SightingOutcome.Unknown &&
      (s.refundId === entry.id ||
        (s.mercadoPagoId !== null && s.mercadoPagoId === entry.mercadoPagoRefundId)),
  );
