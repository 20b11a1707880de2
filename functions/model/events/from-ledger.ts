/**
 * Which ledger changes become events out, built from the write that made them (its outbox): settled refunds
 * (ours, or made elsewhere) and status changes. Pending states are not outcomes; contradictions go to a
 * person, not to consumers. eventIds are stable per change, so at-least-once delivery can be deduplicated.
 */

import { sha256Hex } from '../ids.ts';
import type { LedgerEvent } from '../ledger/change.ts';
import { type Ledger, LedgerKind, RefundStatus } from '../ledger/types.ts';
import { chargebackView, refundView, subjectField } from '../ledger/view.ts';
import { decimalsOf, fromMinorUnits } from '../money.ts';
import { isExpiredOrderStatus, isOpenOrderStatus, isPaidOrderStatus } from '../order.ts';
import { DetailType, EVENT_SCHEMA_VERSION, type OutEvent } from './types.ts';

const eventId = (...parts: (string | null)[]): string => sha256Hex(JSON.stringify(parts)).slice(0, 32);

export const qrOrderEventId = (externalReference: string, merchantOrderId: string, status: string): string =>
  eventId('qr', externalReference, merchantOrderId, status);

/**
 * An order this service put on a till that was paid (from open to processed, or straight to refunded or
 * charged back when the paid state was never read) or expired: `QR Order Paid` / `QR Order Expired`, as the
 * instore API's merchant orders are (process-merchant-order.ts).
 */
const tillOrderEvent = (
  ledger: Ledger,
  event: Extract<LedgerEvent, { kind: 'status.changed' }>,
): OutEvent | undefined => {
  const till = ledger.order?.till;
  if (ledger.kind !== LedgerKind.Order || till === undefined || !isOpenOrderStatus(event.previousStatus))
    return undefined;
  const status = isPaidOrderStatus(event.status)
    ? 'paid'
    : isExpiredOrderStatus(event.status)
      ? 'expired'
      : undefined;
  if (status === undefined) return undefined;
  const externalReference = ledger.order?.externalReference ?? '';
  const decimals = decimalsOf(ledger.currency);
  return {
    detailType: status === 'paid' ? DetailType.QrOrderPaid : DetailType.QrOrderExpired,
    detail: {
      version: EVENT_SCHEMA_VERSION,
      eventId: qrOrderEventId(externalReference, ledger.id, status),
      occurredAt: event.at,
      externalReference,
      merchantOrderId: ledger.id,
      orderId: ledger.id,
      externalPosId: till,
      status,
      totalAmount: fromMinorUnits(ledger.totalMinor, decimals),
      paidAmount: status === 'paid' ? fromMinorUnits(ledger.totalMinor, decimals) : 0,
      paymentIds: status === 'paid' ? (ledger.order?.transactions ?? []).map((t) => t.id) : [],
    },
  };
};

export const outEventsOf = (ledger: Ledger, events: readonly LedgerEvent[]): OutEvent[] => {
  const out: OutEvent[] = [];
  for (const event of events) {
    if (event.kind === 'status.changed') {
      const tillEvent = tillOrderEvent(ledger, event);
      if (tillEvent) {
        out.push(tillEvent);
        continue;
      }
      const detailType =
        event.status === 'cancelled' || event.status === 'canceled'
          ? ledger.kind === LedgerKind.Order
            ? DetailType.OrderCancelled
            : DetailType.PaymentCancelled
          : DetailType.PaymentStatusChanged;
      out.push({
        detailType,
        detail: {
          version: EVENT_SCHEMA_VERSION,
          eventId: eventId(
            detailType,
            ledger.id,
            event.previousStatus,
            event.status,
            event.statusDetail,
            event.at,
          ),
          occurredAt: event.at,
          ...subjectField(ledger),
          status: event.status,
          statusDetail: event.statusDetail,
          previousStatus: event.previousStatus,
        },
      } as OutEvent);
      continue;
    }
    if (event.kind === 'chargeback.changed') {
      const { chargeback, previous } = event;
      const view = chargebackView(ledger, chargeback);
      const at = chargeback.updatedAt;
      if (previous === null) {
        out.push({
          detailType: DetailType.ChargebackOpened,
          detail: {
            version: EVENT_SCHEMA_VERSION,
            eventId: eventId(DetailType.ChargebackOpened, ledger.id, chargeback.id),
            occurredAt: at,
            ...subjectField(ledger),
            chargeback: view,
          },
        });
      }
      if (chargeback.status !== 'open' && previous !== chargeback.status) {
        out.push({
          detailType: DetailType.ChargebackResolved,
          detail: {
            version: EVENT_SCHEMA_VERSION,
            eventId: eventId(DetailType.ChargebackResolved, ledger.id, chargeback.id, chargeback.status),
            occurredAt: at,
            ...subjectField(ledger),
            chargeback: view,
            outcome: chargeback.status,
          },
        });
      }
      continue;
    }
    if (event.kind !== 'refund.settled' || event.refund.status === RefundStatus.Pending) continue;
    const { refund } = event;
    const detailType =
      refund.status === RefundStatus.Succeeded ? DetailType.RefundSucceeded : DetailType.RefundFailed;
    out.push({
      detailType,
      detail: {
        version: EVENT_SCHEMA_VERSION,
        eventId: eventId(detailType, ledger.id, refund.id, refund.status),
        occurredAt: refund.settledAt ?? refund.updatedAt,
        ...subjectField(ledger),
        refund: refundView(ledger, refund),
      },
    } as OutEvent);
  }
  const seen = new Set<string>();
  return out.filter((e) => !seen.has(e.detail.eventId) && seen.add(e.detail.eventId));
};

/** The eventId of a reconciliation event: stable per day and per what it says (its kind and key). */
export const reconciliationEventId = (...parts: (string | null)[]): string =>
  eventId('reconciliation', ...parts);
