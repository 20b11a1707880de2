/** The sandbox's public types: options of `startSandbox` and the in-process control API. */
import type { Currency, SiteId } from '../../functions/model/money.ts';
import type { ChargebackControls } from './chargeback-controls.ts';
import type { QrOrderGetForm } from './context.ts';
import type { ArmedFaultView, FaultMatch } from './faults.ts';
import type { NewerSettingsPatch } from './newer-settings.ts';
import type { SendNotificationInput } from './notification-sends.ts';
import type { NotificationDelivery } from './notifier.ts';
import type { OrderControls } from './order-controls.ts';
import type { PaymentJson } from './payment-json.ts';
import type { CreatePaymentInput } from './payments.ts';
import type { QrPaymentResult } from './qr-orders.ts';
import type { RefundJson } from './refund-json.ts';
import type { SettledRefundStatus } from './refunds.ts';
import type { ReportControls } from './report-controls.ts';
import type { RequestFilter, SandboxRequest } from './request-log.ts';
import type { DemoPayment } from './seed.ts';
import type { BalanceLanguage, PaymentStatus } from './state.ts';

/** Also the Orders API, chargeback and report settings (newer-settings.ts). */
export interface SandboxOptions extends NewerSettingsPatch {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default `TEST-sandbox-token`. */
  accessToken?: string;
  /** Default `sandbox-webhook-secret`. */
  webhookSecret?: string;
  /** The seller the token belongs to; default `123456789`. */
  userId?: string;
  /** Where notifications go; none are sent without it. */
  notificationUrl?: string;
  /** Default true. */
  notificationsEnabled?: boolean;
  /** Waits before each retry of a failed automatic delivery; default [1000, 5000, 15000]. */
  notificationRetryDelaysMs?: number[];
  /** Default 22000 (Mercado Pago's wait). */
  notificationTimeoutMs?: number;
  /** The clock (epoch ms); default Date.now. */
  now?: () => number;
  /** Default true. */
  seedDemoData?: boolean;
  /** Receives one line per notable event; default: nothing. */
  log?: (line: string) => void;
  /** Site of the seller's QR orders; default MLB. */
  siteId?: SiteId;
  /** Days after approval a refund is allowed; default 180. */
  refundWindowDays?: number;
  refundWindowDaysBySite?: Partial<Record<SiteId, number>>;
  /** Default `object`. */
  qrOrderGetForm?: QrOrderGetForm;
}

export interface SandboxSettingsPatch extends NewerSettingsPatch {
  refundWindowDays?: number;
  refundWindowDaysBySite?: Partial<Record<SiteId, number>>;
  qrOrderGetForm?: QrOrderGetForm;
  siteId?: SiteId;
  /** null: stop sending notifications. */
  notificationUrl?: string | null;
  notificationsEnabled?: boolean;
}

export interface StatusFaultOptions extends FaultMatch {
  /** JSON body (default: a Mercado Pago error body for the status); a string is sent as text. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface BalanceOptions {
  /** Default: every currency. */
  currency?: Currency;
  /** Language of the "insufficient balance" message; default en. */
  language?: BalanceLanguage;
}

/** Orders, chargebacks and reports controls: order-controls.ts, chargeback-controls.ts, report-controls.ts. */
export interface Sandbox extends OrderControls, ChargebackControls, ReportControls {
  /** e.g. `http://127.0.0.1:53121`, the `MP_API_BASE_URL` to use. */
  readonly url: string;
  readonly accessToken: string;
  readonly webhookSecret: string;
  readonly userId: string;
  /** Automatic notifications on changes; `sendNotification` works either way. */
  notificationsEnabled: boolean;
  close(): Promise<void>;
  configure(patch: SandboxSettingsPatch): void;

  /** Adds a payment; returns its id. Sends no notification. */
  createPayment(input: CreatePaymentInput): string;
  /** Moves a payment to a status (e.g. a ticket gets paid) and notifies. */
  setPaymentStatus(paymentId: string, status: PaymentStatus, statusDetail?: string): void;
  /** A refund made outside the project (the seller's dashboard); default: what is left. */
  dashboardRefund(paymentId: string, amount?: number): RefundJson;
  /** Moves an in_process refund to its final state and notifies. */
  settleRefund(refundId: string, status: SettledRefundStatus): RefundJson;
  /** Available balance in major units (null: unlimited, the default). */
  setBalance(amount: number | null, options?: BalanceOptions): void;
  /** The payment as GET /v1/payments/{id} shows it (whoever its collector). */
  getPayment(paymentId: string): PaymentJson | undefined;
  refundsOf(paymentId: string): RefundJson[];
  getMerchantOrder(merchantOrderId: string): Record<string, unknown> | undefined;
  /** The till's current order: as GET shows it, with its merchant order. */
  qrOrderOf(posId: string): { order: Record<string, unknown>; merchantOrderId: string } | undefined;
  /** The buyer pays the till's order: approved in-person payment, merchant order closed, notifications. */
  payQrOrder(posId: string): QrPaymentResult;
  demoPayments(): DemoPayment[];

  requests(filter?: RequestFilter): SandboxRequest[];
  clearRequests(): void;

  /** Waits `ms` before processing the next matching request(s). */
  latency(ms: number, match?: FaultMatch): void;
  /** Answers the next matching request(s) with this status, without processing them. */
  status(code: number, options?: StatusFaultOptions): void;
  /** Reads the next matching request(s), does not process them, destroys the socket. */
  drop(match?: FaultMatch): void;
  /** Processes the next matching request(s) fully, then destroys the socket instead of answering. */
  loseAnswer(match?: FaultMatch): void;
  /** Stops accepting connections (ECONNREFUSED) for `forMs`, or until `acceptConnections`/`resetFaults`. */
  refuse(options?: { forMs?: number }): Promise<void>;
  acceptConnections(): Promise<void>;
  /** The next `times` (default 1) refunds created through the API get this status. */
  refundStatus(status: 'in_process' | 'rejected', times?: number): void;
  armedFaults(): ArmedFaultView[];
  /** Disarms every fault and accepts connections again. */
  resetFaults(): Promise<void>;

  /** Payment kinds, merchant orders, and `order`, `chargeback`, `chargeback_ipn` (notification-sends.ts). */
  sendNotification(input: SendNotificationInput): Promise<NotificationDelivery[]>;
  /** Every delivery so far (automatic and sent), oldest first. */
  notifications(): NotificationDelivery[];
  /** Resolves when no delivery is under way. */
  notificationsIdle(): Promise<void>;
}
