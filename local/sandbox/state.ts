/** The sandbox's in-memory records (amounts in integer minor units, dates in epoch ms). */
import type { Currency, SiteId } from '../../functions/model/money.ts';
import type { OrderRecord, OrderRefundRecord } from './order-records.ts';
import type { ReportsState } from './report-records.ts';

export const PAYMENT_STATUSES = [
  'pending',
  'approved',
  'authorized',
  'in_process',
  'in_mediation',
  'rejected',
  'cancelled',
  'refunded',
  'charged_back',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export type InPerson = 'qr' | 'point' | false;

export const REFUND_STATUSES = ['approved', 'in_process', 'rejected', 'cancelled'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** `api`: POST /v1/payments/{id}/refunds; `dashboard`: made outside the project (control API). */
export type RefundOrigin = 'api' | 'dashboard';

export interface PaymentRecord {
  id: string;
  siteId: SiteId;
  currency: Currency;
  amountMinor: number;
  status: PaymentStatus;
  statusDetail: string;
  dateCreated: number;
  dateApproved: number | null;
  dateLastUpdated: number;
  dateOfExpiration: number | null;
  collectorId: string;
  inPerson: InPerson;
  merchantOrderId: string | null;
  posId: string | null;
  storeId: string | null;
  /** Cancellation answers only `{id,status,status_detail}` for this payment. */
  minimalAnswers: boolean;
  paymentMethodId: string;
  paymentTypeId: string;
  description: string;
  externalReference: string | null;
  refundIds: string[];
  /** The Orders API order it pays (`references: [{type: "ORDER_MP", id}]`). */
  orderId: string | null;
}

export interface RefundRecord {
  id: string;
  paymentId: string;
  amountMinor: number;
  status: RefundStatus;
  origin: RefundOrigin;
  dateCreated: number;
}

/** An item of a QR order as Mercado Pago stores it (amounts in major units, as sent). */
export interface QrItem {
  sku_number?: string;
  category?: string;
  title: string;
  description?: string;
  unit_price: number;
  quantity: number;
  unit_measure: string;
  total_amount: number;
}

export interface QrOrderRecord {
  posId: string;
  storeId: string | null;
  collectorId: string;
  externalReference: string;
  title: string | null;
  description: string | null;
  totalAmount: number;
  items: QrItem[];
  notificationUrl: string | null;
  sponsor: unknown;
  cashOut: unknown;
  createdAt: number;
  expiresAt: number;
  merchantOrderId: string;
}

export type MerchantOrderStatus = 'opened' | 'closed' | 'expired';

export interface MerchantOrderRecord {
  id: string;
  status: MerchantOrderStatus;
  siteId: SiteId;
  currency: Currency;
  collectorId: string;
  externalReference: string | null;
  totalAmount: number;
  items: QrItem[];
  paymentIds: string[];
  posId: string | null;
  storeId: string | null;
  notificationUrl: string | null;
  dateCreated: number;
  lastUpdated: number;
}

export type BalanceLanguage = 'en' | 'es' | 'pt';

export interface ChargebackRecord {
  /** 18 digits. */
  id: string;
  paymentId: string;
  siteId: SiteId;
  currency: Currency;
  amountMinor: number;
  reason: string;
  /** null while open; true: the seller won (money back); false: lost. */
  coverageApplied: boolean | null;
  documentationRequired: boolean;
  documentationStatus: string;
  deadline: number | null;
  dateCreated: number;
  dateLastUpdated: number;
}

/** A buyer's claim: the payment was put `in_mediation` (a DISPUTE row in reports). */
export interface DisputeRecord {
  paymentId: string;
  amountMinor: number;
  currency: Currency;
  dateCreated: number;
}

export interface SandboxStore {
  payments: Map<string, PaymentRecord>;
  refunds: Map<string, RefundRecord>;
  /** By external POS id: one order per till. */
  qrOrders: Map<string, QrOrderRecord>;
  merchantOrders: Map<string, MerchantOrderRecord>;
  /** Available balance per currency in minor units; absent = unlimited. */
  balances: Map<Currency, number>;
  balanceLanguage: BalanceLanguage;
  /** States of the next API refunds (fault `refundStatus`), consumed one per created refund. */
  nextRefundStatuses: ('in_process' | 'rejected')[];
  /** Orders API orders by `ORD…` id. */
  orders: Map<string, OrderRecord>;
  orderRefunds: Map<string, OrderRefundRecord>;
  chargebacks: Map<string, ChargebackRecord>;
  disputes: DisputeRecord[];
  reports: ReportsState;
}

export const createStore = (): SandboxStore => ({
  payments: new Map(),
  refunds: new Map(),
  qrOrders: new Map(),
  merchantOrders: new Map(),
  balances: new Map(),
  balanceLanguage: 'en',
  nextRefundStatuses: [],
  orders: new Map(),
  orderRefunds: new Map(),
  chargebacks: new Map(),
  disputes: [],
  reports: {
    config: null,
    tasks: [],
    held: false,
    adjustments: { extraRows: [], drop: [], amounts: [] },
  },
});
