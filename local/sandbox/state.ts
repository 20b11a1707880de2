/** The sandbox's in-memory records (amounts in integer minor units, dates in epoch ms). */
import type { Currency, SiteId } from '../../functions/shared/money.ts';

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
}

export const createStore = (): SandboxStore => ({
  payments: new Map(),
  refunds: new Map(),
  qrOrders: new Map(),
  merchantOrders: new Map(),
  balances: new Map(),
  balanceLanguage: 'en',
  nextRefundStatuses: [],
});
