/** What the sandbox's domain code shares: settings, records, clock, ids and where changes are announced. */
import type { SiteId } from '../../functions/model/money.ts';
import type { IdSequence } from './ids.ts';
import type { PaymentAction } from './notification-requests.ts';
import type { SandboxStore } from './state.ts';
import type { ChargebackNotice, OrderNotice, ReportNotice } from './topic-notifications.ts';

export type QrOrderGetForm = 'object' | 'array';
/** Which id an `order` webhook's signature covers: as sent in the query, lower-cased, or none (unsigned). */
export type OrderWebhookSigning = 'raw' | 'lowercase' | 'none';
/** `canceled`/`canceled_by_api` (reference) or `cancelled`/`cancelled_transaction` (PHP SDK mock). */
export type CanceledSpelling = 'canceled' | 'cancelled';
/** Action of the webhook a partial order refund fires (unsettled). */
export type PartialRefundAction = 'order.refunded' | 'order.processed';
/** `documented`: the reference's body; `sdk`: the SDK mocks' `{id, payment_id, status, currency_id, ...}`. */
export type ChargebackForm = 'documented' | 'sdk';
export type ChargebackNotifications = 'webhook' | 'ipn' | 'both';
/** The report list as a bare array (docs) or `{paging, results}` (openapi). */
export type ReportListForm = 'array' | 'paging';
export type ReportRefundSign = 'negative' | 'positive';

export interface SandboxSettings {
  accessToken: string;
  webhookSecret: string;
  /** The seller (collector) the access token belongs to. */
  userId: string;
  /** Site of the seller's QR orders (their currency). */
  siteId: SiteId;
  refundWindowDays: number;
  refundWindowDaysBySite: Partial<Record<SiteId, number>>;
  /** GET of a till's order answers one object, or an array (`[]` when the till has none). */
  qrOrderGetForm: QrOrderGetForm;
  /** An order refund turns `processed` this long after it was made; null: it stays `processing`. */
  orderRefundDelayMs: number | null;
  /** Days after the order's creation a refund is allowed (`in_store_payment_refund_order` after). */
  orderRefundWindowDays: number;
  orderRefundWindowDaysBySite: Partial<Record<SiteId, number>>;
  /** Sites where partial order refunds answer `unsupported_partially_refunds`: those set to false. */
  orderPartialRefundsBySite: Partial<Record<SiteId, boolean>>;
  orderWebhookSigning: OrderWebhookSigning;
  orderCanceledSpelling: CanceledSpelling;
  orderPartialRefundAction: PartialRefundAction;
  chargebackForm: ChargebackForm;
  chargebackNotifications: ChargebackNotifications;
  /** A requested report's file appears this long after the request (unless reports are held). */
  reportDelayMs: number;
  reportListForm: ReportListForm;
  reportRefundSign: ReportRefundSign;
}

/** Announces changes; the notifier turns them into webhook deliveries. */
export interface ChangeListener {
  paymentChanged(paymentId: string, action: PaymentAction): void;
  merchantOrderChanged(merchantOrderId: string): void;
  orderChanged(notice: OrderNotice): void;
  chargebackChanged(notice: ChargebackNotice): void;
  reportReady(notice: ReportNotice): void;
}

export interface SandboxContext {
  readonly settings: SandboxSettings;
  readonly store: SandboxStore;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly changes: ChangeListener;
  readonly ids: {
    payment: IdSequence;
    refund: IdSequence;
    merchantOrder: IdSequence;
    chargeback: IdSequence;
    report: IdSequence;
  };
  /** Runs the sweep (what time did) after `afterMs` of real time, e.g. when a refund is due to settle. */
  readonly wake: (afterMs: number) => void;
}

export const MAX_REFUNDS_PER_PAYMENT = 20;
/** Unpaid pending payments expire on their own after this long. */
export const PENDING_EXPIRY_DAYS = 30;
export const DEFAULT_QR_TTL_SECONDS = 600;
