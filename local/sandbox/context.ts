/** What the sandbox's domain code shares: settings, records, clock, ids and where changes are announced. */
import type { SiteId } from '../../functions/shared/money.ts';
import type { IdSequence } from './ids.ts';
import type { SandboxStore } from './state.ts';

export type QrOrderGetForm = 'object' | 'array';

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
}

export type PaymentAction = 'payment.created' | 'payment.updated';

/** Announces changes; the notifier turns them into webhook deliveries. */
export interface ChangeListener {
  paymentChanged(paymentId: string, action: PaymentAction): void;
  merchantOrderChanged(merchantOrderId: string): void;
}

export interface SandboxContext {
  readonly settings: SandboxSettings;
  readonly store: SandboxStore;
  readonly now: () => number;
  readonly log: (line: string) => void;
  readonly changes: ChangeListener;
  readonly ids: { payment: IdSequence; refund: IdSequence; merchantOrder: IdSequence };
}

export const MAX_REFUNDS_PER_PAYMENT = 20;
/** Unpaid pending payments expire on their own after this long. */
export const PENDING_EXPIRY_DAYS = 30;
export const DEFAULT_QR_TTL_SECONDS = 600;
