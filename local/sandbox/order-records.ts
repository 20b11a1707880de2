/** Orders API records (`/v1/orders`, QR): amounts in integer minor units, dates in epoch ms. */
import type { Currency, SiteId } from '../../functions/model/money.ts';

export const ORDER_STATUSES = [
  'created',
  'processed',
  'canceled',
  'expired',
  'refunded',
  'charged_back',
  'action_required',
  'failed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const QR_MODES = ['static', 'dynamic', 'hybrid'] as const;
export type QrMode = (typeof QR_MODES)[number];

/** How the buyer paid: the till's static QR or the order's own (dynamic) code. */
export type QrVia = 'static' | 'dynamic';

export const ORDER_REFUND_STATUSES = ['processing', 'processed', 'failed'] as const;
export type OrderRefundStatus = (typeof ORDER_REFUND_STATUSES)[number];

/** Statuses `POST /v1/orders/{id}/events` forces (test credentials). */
export const FORCEABLE_ORDER_STATUSES = [
  'processed',
  'failed',
  'refunded',
  'canceled',
  'expired',
  'action_required',
] as const;
export type ForceableOrderStatus = (typeof FORCEABLE_ORDER_STATUSES)[number];

/** A rejected payment attempt: the order stays open for another try. */
export interface OrderAttempt {
  paymentId: string;
  status: 'rejected';
  statusDetail: string;
}

export interface OrderPaymentRecord {
  /** `PAY…` */
  id: string;
  amountMinor: number;
  status: string;
  statusDetail: string;
  /** The numeric payment in `/v1/payments` once paid. */
  paymentId: string | null;
  attempts: OrderAttempt[];
}

export interface OrderRefundRecord {
  /** `REF…` */
  id: string;
  orderId: string;
  transactionId: string;
  referenceId: string;
  amountMinor: number;
  status: OrderRefundStatus;
  dateCreated: number;
  /** When it turns `processed` on its own; null = held until settled by a control. */
  settleAt: number | null;
  dateSettled: number | null;
}

export interface OrderRecord {
  /** `ORD…` */
  id: string;
  userId: string;
  siteId: SiteId;
  currency: Currency;
  externalReference: string;
  description: string | null;
  totalMinor: number;
  /** As sent (or `PT15M`). */
  expirationTime: string;
  expiresAt: number;
  mode: QrMode;
  externalPosId: string;
  items: Record<string, unknown>[] | null;
  discounts: unknown;
  status: OrderStatus;
  statusDetail: string;
  payment: OrderPaymentRecord;
  refundIds: string[];
  qrData: string | null;
  /** null: the site's setting decides. */
  partialRefunds: boolean | null;
  /** The order carries a tip (`configureOrder`): no partial refund. */
  tips?: boolean;
  /** The order has a cash-out (`configureOrder`): no partial refund. */
  cashOut?: boolean;
  createdAt: number;
  updatedAt: number;
  /** `data.version` of its webhooks: grows with each change. */
  version: number;
  /** The code the buyer paid with; the other one is then disabled. */
  paidVia: QrVia | null;
  chargebackId: string | null;
}
