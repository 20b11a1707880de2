/**
 * Events out: what this service tells merchants' systems when an outcome is known, so they need not poll.
 * EventBridge `source` is EVENT_SOURCE, `detail-type` one of DetailType; the JSON schema of each detail is
 * in docs/events.md. Details are versioned: fields are only ever added within a version.
 */
import type { ChargebackView, RefundView } from '../ledger/view.ts';

export const EVENT_SOURCE = 'mercadopago-refunds';
export const EVENT_SCHEMA_VERSION = 1;

export const DetailType = {
  RefundSucceeded: 'Refund Succeeded',
  RefundFailed: 'Refund Failed',
  PaymentCancelled: 'Payment Cancelled',
  PaymentStatusChanged: 'Payment Status Changed',
  OrderCancelled: 'Order Cancelled',
  QrOrderPaid: 'QR Order Paid',
  QrOrderExpired: 'QR Order Expired',
  ChargebackOpened: 'Chargeback Opened',
  ChargebackResolved: 'Chargeback Resolved',
  ReconciliationCompleted: 'Reconciliation Completed',
  ReconciliationDiscrepancy: 'Reconciliation Discrepancy',
  ReconciliationFailed: 'Reconciliation Failed',
} as const;
export type DetailType = (typeof DetailType)[keyof typeof DetailType];

interface DetailBase {
  version: typeof EVENT_SCHEMA_VERSION;
  /** Stable per change: consumers dedupe on it (EventBridge delivers at least once). */
  eventId: string;
  /** ISO-8601 UTC with milliseconds: when this service recorded the change. */
  occurredAt: string;
}

/** Every detail about a payment or an order names it: `paymentId` or `orderId`. */
interface SubjectIds {
  paymentId?: string;
  orderId?: string;
}

export interface RefundDetail extends DetailBase, SubjectIds {
  /** The refund object of the HTTP contract (API.md), `origin` telling ours from those made elsewhere. */
  refund: RefundView;
}

export interface PaymentStatusDetail extends DetailBase, SubjectIds {
  status: string;
  statusDetail: string | null;
  previousStatus: string;
}

export interface QrOrderDetail extends DetailBase {
  externalReference: string;
  /** The merchant order (instore API); for an Orders API order, the order id (also in `orderId`). */
  merchantOrderId: string;
  /** Orders API (QR_API=orders): the order and the till it was put on. */
  orderId?: string;
  externalPosId?: string;
  status: 'paid' | 'expired';
  totalAmount: number;
  paidAmount: number;
  paymentIds: string[];
}

export interface ChargebackDetail extends DetailBase, SubjectIds {
  chargeback: ChargebackView;
  /** Chargeback Resolved only. */
  outcome?: 'won' | 'lost';
}

export interface ReconciliationCounts {
  rows: number;
  matched: number;
  recordedExternal: number;
  discrepancies: number;
}

export interface DiscrepancyView extends SubjectIds {
  kind: 'refund_missing_in_report' | 'amount_mismatch' | 'unknown_refund';
  refundId?: string;
  mercadoPagoRefundId?: string;
  amount?: number;
  detail: string;
}

export interface ReconciliationDetail extends DetailBase {
  /** The UTC day reconciled (YYYY-MM-DD). */
  date: string;
  /** Reconciliation Completed. */
  counts?: ReconciliationCounts;
  reportFile?: string;
  /** Reconciliation Discrepancy. */
  discrepancy?: DiscrepancyView;
  /** Reconciliation Failed. */
  reason?: string;
}

export type OutEvent =
  | { detailType: typeof DetailType.RefundSucceeded | typeof DetailType.RefundFailed; detail: RefundDetail }
  | {
      detailType:
        | typeof DetailType.PaymentCancelled
        | typeof DetailType.PaymentStatusChanged
        | typeof DetailType.OrderCancelled;
      detail: PaymentStatusDetail;
    }
  | { detailType: typeof DetailType.QrOrderPaid | typeof DetailType.QrOrderExpired; detail: QrOrderDetail }
  | {
      detailType: typeof DetailType.ChargebackOpened | typeof DetailType.ChargebackResolved;
      detail: ChargebackDetail;
    }
  | {
      detailType:
        | typeof DetailType.ReconciliationCompleted
        | typeof DetailType.ReconciliationDiscrepancy
        | typeof DetailType.ReconciliationFailed;
      detail: ReconciliationDetail;
    };

/** The envelope as EventBridge delivers it to rules and as the local events file holds it (one per line). */
export interface EventEnvelope {
  source: typeof EVENT_SOURCE;
  'detail-type': DetailType;
  time: string;
  detail: OutEvent['detail'];
}

export const envelopeOf = (event: OutEvent): EventEnvelope => ({
  source: EVENT_SOURCE,
  'detail-type': event.detailType,
  time: event.detail.occurredAt,
  detail: event.detail,
});
