/**
 * Which ledger changes become events out. Only changes returned by the conditional write that made them
 * are turned into events (the writer that won publishes), so each change is published once.
 */
import { sha256Hex } from '../ids.ts';
import type { LedgerEvent } from '../ledger/ledger.ts';
import { refundView } from '../ledger/refund-view.ts';
import { type PaymentLedger, RefundStatus } from '../ledger/types.ts';
import { DetailType, EVENT_SCHEMA_VERSION, type OutEvent } from './types.ts';

const eventId = (...parts: (string | null)[]): string => sha256Hex(JSON.stringify(parts)).slice(0, 32);

/** The detail types made from ledger changes: in AWS the table's stream publishes them (the write's outbox). */
export const LEDGER_DETAIL_TYPES: ReadonlySet<DetailType> = new Set([
  DetailType.RefundSucceeded,
  DetailType.RefundFailed,
  DetailType.PaymentCancelled,
  DetailType.PaymentStatusChanged,
]);

/**
 * When a status change was recorded: its entry in the status history, written by the same write. So the
 * write's outbox and a publisher holding a later ledger of the same request give it the same time and eventId.
 */
const recordedAt = (
  ledger: PaymentLedger,
  change: { status: string; statusDetail: string | null },
  fallback: string,
): string =>
  ledger.statusHistory.findLast((s) => s.status === change.status && s.statusDetail === change.statusDetail)
    ?.at ?? fallback;

/** Settled refunds (ours, or made elsewhere) and payment status changes; pending states are not outcomes. */
export const outEventsFromLedger = (
  ledger: PaymentLedger,
  events: readonly LedgerEvent[],
  now: string,
): OutEvent[] => {
  const out: OutEvent[] = [];
  for (const event of events) {
    if (event.type === 'payment.status_changed') {
      const at = recordedAt(ledger, event, now);
      const detailType =
        event.status === 'cancelled' ? DetailType.PaymentCancelled : DetailType.PaymentStatusChanged;
      out.push({
        detailType,
        detail: {
          version: EVENT_SCHEMA_VERSION,
          eventId: eventId(
            detailType,
            ledger.paymentId,
            event.previousStatus,
            event.status,
            event.statusDetail,
            at,
          ),
          occurredAt: at,
          paymentId: ledger.paymentId,
          status: event.status,
          statusDetail: event.statusDetail,
          previousStatus: event.previousStatus,
        },
      });
      continue;
    }
    // The entry as the event saw it: a later event of the same write may have moved it on.
    const entry = event.refund;
    if (entry.status === RefundStatus.Pending || event.type === 'refund.pending') continue;
    if (event.type === 'refund.succeeded' && entry.status !== RefundStatus.Succeeded) continue;
    if (event.type === 'refund.failed' && entry.status !== RefundStatus.Failed) continue;
    const detailType =
      entry.status === RefundStatus.Succeeded ? DetailType.RefundSucceeded : DetailType.RefundFailed;
    out.push({
      detailType,
      detail: {
        version: EVENT_SCHEMA_VERSION,
        eventId: eventId(detailType, ledger.paymentId, entry.id, entry.status),
        occurredAt: entry.updatedAt,
        paymentId: ledger.paymentId,
        refund: refundView(ledger, entry),
      },
    });
  }
  // The same entry may be reported twice by one write (a link, then a settlement): one event per change.
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.detail.eventId) && seen.add(e.detail.eventId));
};

export const qrOrderEventId = (externalReference: string, merchantOrderId: string, status: string): string =>
  eventId('qr', externalReference, merchantOrderId, status);
