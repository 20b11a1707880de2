/**
 * An embedded Mercado Pago sandbox: an HTTP server (node:http) that behaves like Mercado Pago per
 * /work/shared/mercadopago/NOTES.md for the endpoints this project calls, with seeded demo data, a typed
 * in-process control API for tests and the same controls over HTTP under `/__sandbox` (README.md).
 */
import { decimalsOf, isCurrency, SITE_CURRENCY, toMinorUnits } from '../../functions/model/money.ts';
import { chargebackControls } from './chargeback-controls.ts';
import type { SandboxContext, SandboxSettings } from './context.ts';
import { createControlHandler } from './control-routes.ts';
import { FaultPlan } from './faults.ts';
import { IdempotencyKeys } from './idempotency.ts';
import {
  FIRST_CHARGEBACK_ID,
  FIRST_CREATED_PAYMENT_ID,
  FIRST_MERCHANT_ORDER_ID,
  FIRST_REFUND_ID,
  FIRST_REPORT_ID,
  IdSequence,
} from './ids.ts';
import { SandboxListener } from './listener.ts';
import { addClosedMerchantOrderFor, merchantOrderJson } from './merchant-orders.ts';
import { MpHttpError, SandboxControlError } from './mp-errors.ts';
import { applyNewerSettings, defaultNewerSettings } from './newer-settings.ts';
import { resolveSend } from './notification-sends.ts';
import { Notifier } from './notifier.ts';
import { orderControls } from './order-controls.ts';
import { settleDueOrderRefunds } from './order-refunds.ts';
import { expireOrders } from './orders.ts';
import { paymentJson } from './payment-json.ts';
import {
  addPayment,
  expireStalePayments,
  paymentOrThrow,
  refundsOfPayment,
  setPaymentStatus,
} from './payments.ts';
import { createRequestHandler } from './pipeline.ts';
import { expireQrOrders, payQrOrder, qrOrderJson } from './qr-orders.ts';
import { refundJson } from './refund-json.ts';
import { createRefund, settleRefund } from './refunds.ts';
import { reportControls } from './report-controls.ts';
import { generateDueReports } from './reports.ts';
import { RequestLog } from './request-log.ts';
import type { Sandbox, SandboxOptions, SandboxSettingsPatch } from './sandbox-api.ts';
import { describeDemoPayments, type SeededPayment, seedDemoData } from './seed.ts';
import { createStore } from './state.ts';

export type { ChargebackControls } from './chargeback-controls.ts';
export type { ChargebackOutcome, OpenChargebackInput } from './chargebacks.ts';
export type {
  CanceledSpelling,
  ChargebackForm,
  ChargebackNotifications,
  OrderWebhookSigning,
  PartialRefundAction,
  QrOrderGetForm,
  ReportListForm,
  ReportRefundSign,
} from './context.ts';
export type { ArmedFaultView, FaultMatch } from './faults.ts';
export type { NewerSettingsPatch } from './newer-settings.ts';
export type { NotificationInput, NotificationKind } from './notification-requests.ts';
export { STALE_SIGNATURE_SECONDS } from './notification-requests.ts';
export type { SendNotificationInput } from './notification-sends.ts';
export type { NotificationDelivery } from './notifier.ts';
export type { OrderControls } from './order-controls.ts';
export type { OrderPaymentResult } from './order-lifecycle.ts';
export type { ForceableOrderStatus, OrderStatus, QrMode, QrVia } from './order-records.ts';
export type { OrderRefundOutcome } from './order-refunds.ts';
export type { PaymentJson } from './payment-json.ts';
export type { CreatePaymentInput } from './payments.ts';
export type { QrPaymentResult } from './qr-orders.ts';
export type { RefundJson } from './refund-json.ts';
export type { SettledRefundStatus } from './refunds.ts';
export type { ReportControls, ReportFile } from './report-controls.ts';
export type { ReportAdjustments, ReportRowMatch, SettlementConfig } from './report-records.ts';
export type { RequestFilter, SandboxRequest } from './request-log.ts';
export type {
  BalanceOptions,
  Sandbox,
  SandboxOptions,
  SandboxSettingsPatch,
  StatusFaultOptions,
} from './sandbox-api.ts';
export type { DemoPayment } from './seed.ts';
export { signatureHeader, signatureManifest, signManifest } from './signature.ts';
export type { BalanceLanguage, InPerson, PaymentStatus, RefundStatus } from './state.ts';
export type { OrderAction, OrderSigning } from './topic-notifications.ts';
export { MpHttpError, SandboxControlError };

export const DEFAULT_ACCESS_TOKEN = 'TEST-sandbox-token';
export const DEFAULT_WEBHOOK_SECRET = 'sandbox-webhook-secret';
export const DEFAULT_USER_ID = '123456789';
export const DEFAULT_REFUND_WINDOW_DAYS = 180;

const checkUrl = (value: string): string => {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SandboxControlError(`not an http(s) URL: ${value}`);
  return value;
};

const checkDays = (days: number): number => {
  if (!Number.isInteger(days) || days < 1)
    throw new SandboxControlError(`refund window must be whole days, got ${days}`);
  return days;
};

export const startSandbox = async (options: SandboxOptions = {}): Promise<Sandbox> => {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const settings: SandboxSettings = {
    accessToken: options.accessToken ?? DEFAULT_ACCESS_TOKEN,
    webhookSecret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET,
    userId: options.userId ?? DEFAULT_USER_ID,
    siteId: options.siteId ?? 'MLB',
    refundWindowDays: checkDays(options.refundWindowDays ?? DEFAULT_REFUND_WINDOW_DAYS),
    refundWindowDaysBySite: { ...options.refundWindowDaysBySite },
    qrOrderGetForm: options.qrOrderGetForm ?? 'object',
    ...defaultNewerSettings(),
  };
  applyNewerSettings(settings, options);
  if (!/^\d{1,20}$/.test(settings.userId)) throw new SandboxControlError('userId must be digits');
  const notifier = new Notifier({
    settings,
    now,
    log,
    url: options.notificationUrl === undefined ? undefined : checkUrl(options.notificationUrl),
    enabled: options.notificationsEnabled ?? true,
    retryDelaysMs: options.notificationRetryDelaysMs ?? [1000, 5000, 15000],
    timeoutMs: options.notificationTimeoutMs ?? 22_000,
    apiBaseUrl: () => sandbox.url,
  });
  const closing = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const ctx: SandboxContext = {
    settings,
    store: createStore(),
    now,
    log,
    changes: notifier,
    ids: {
      payment: new IdSequence(FIRST_CREATED_PAYMENT_ID),
      refund: new IdSequence(FIRST_REFUND_ID),
      merchantOrder: new IdSequence(FIRST_MERCHANT_ORDER_ID),
      chargeback: new IdSequence(FIRST_CHARGEBACK_ID),
      report: new IdSequence(FIRST_REPORT_ID),
    },
    wake: (afterMs) => {
      if (closing.signal.aborted) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        runSweep();
      }, afterMs);
      timer.unref();
      timers.add(timer);
    },
  };
  const seeded: SeededPayment[] = options.seedDemoData === false ? [] : seedDemoData(ctx);
  const sweep = () => {
    expireStalePayments(ctx);
    expireQrOrders(ctx);
    expireOrders(ctx);
    settleDueOrderRefunds(ctx);
    generateDueReports(ctx);
  };
  /** The sweep outside a request (timers): a failure is logged, never thrown. */
  const runSweep = () => {
    try {
      sweep();
    } catch (error) {
      log(`sandbox sweep failed: ${String(error)}`);
    }
  };
  /** Control calls see the state as of now, like API calls. */
  const swept = <T>(run: () => T): T => {
    sweep();
    return run();
  };
  const faults = new FaultPlan();
  const requests = new RequestLog();
  let listener: SandboxListener | undefined;

  const sandbox: Sandbox = {
    get url() {
      return `http://${options.host ?? '127.0.0.1'}:${listener?.port ?? 0}`;
    },
    accessToken: settings.accessToken,
    webhookSecret: settings.webhookSecret,
    userId: settings.userId,
    get notificationsEnabled() {
      return notifier.enabled;
    },
    set notificationsEnabled(enabled: boolean) {
      notifier.enabled = enabled;
    },
    async close() {
      closing.abort();
      for (const timer of timers) clearTimeout(timer);
      notifier.close();
      await listener?.close();
      await notifier.idle();
    },
    configure(patch: SandboxSettingsPatch) {
      if (patch.refundWindowDays !== undefined) settings.refundWindowDays = checkDays(patch.refundWindowDays);
      if (patch.refundWindowDaysBySite !== undefined) {
        for (const days of Object.values(patch.refundWindowDaysBySite))
          if (days !== undefined) checkDays(days);
        settings.refundWindowDaysBySite = { ...patch.refundWindowDaysBySite };
      }
      if (patch.qrOrderGetForm !== undefined) settings.qrOrderGetForm = patch.qrOrderGetForm;
      if (patch.siteId !== undefined) settings.siteId = patch.siteId;
      if (patch.notificationUrl !== undefined) {
        notifier.url = patch.notificationUrl === null ? undefined : checkUrl(patch.notificationUrl);
      }
      if (patch.notificationsEnabled !== undefined) notifier.enabled = patch.notificationsEnabled;
      applyNewerSettings(settings, patch);
    },

    createPayment: (input) =>
      swept(() => {
        const payment = addPayment(ctx, input);
        if (payment.inPerson === 'qr' && payment.merchantOrderId === null)
          addClosedMerchantOrderFor(ctx, payment);
        return payment.id;
      }),
    setPaymentStatus: (paymentId, status, statusDetail) =>
      swept(() => void setPaymentStatus(ctx, paymentId, status, statusDetail)),
    dashboardRefund: (paymentId, amount) =>
      swept(() => {
        const refund = createRefund(ctx, paymentId, { amount, renderInProcess: true, origin: 'dashboard' });
        return refundJson(ctx, refund, paymentOrThrow(ctx, paymentId));
      }),
    settleRefund: (refundId, status) =>
      swept(() => {
        const refund = settleRefund(ctx, refundId, status);
        return refundJson(ctx, refund, paymentOrThrow(ctx, refund.paymentId));
      }),
    setBalance(amount, balanceOptions = {}) {
      if (balanceOptions.language !== undefined) ctx.store.balanceLanguage = balanceOptions.language;
      if (balanceOptions.currency !== undefined && !isCurrency(balanceOptions.currency)) {
        throw new SandboxControlError(`unknown currency ${balanceOptions.currency}`);
      }
      const currencies = balanceOptions.currency ? [balanceOptions.currency] : Object.values(SITE_CURRENCY);
      for (const currency of currencies) {
        if (amount === null) {
          ctx.store.balances.delete(currency);
          continue;
        }
        const minor = toMinorUnits(amount, decimalsOf(currency));
        if (minor === null || minor < 0)
          throw new SandboxControlError(`balance ${amount} is not valid in ${currency}`);
        ctx.store.balances.set(currency, minor);
      }
    },
    getPayment: (paymentId) =>
      swept(() => {
        const payment = ctx.store.payments.get(paymentId);
        return payment ? paymentJson(ctx, payment) : undefined;
      }),
    refundsOf: (paymentId) =>
      swept(() => {
        const payment = ctx.store.payments.get(paymentId);
        return payment ? refundsOfPayment(ctx, payment).map((r) => refundJson(ctx, r, payment)) : [];
      }),
    getMerchantOrder: (merchantOrderId) =>
      swept(() => {
        const order = ctx.store.merchantOrders.get(merchantOrderId);
        return order ? merchantOrderJson(ctx, order) : undefined;
      }),
    qrOrderOf: (posId) =>
      swept(() => {
        const order = ctx.store.qrOrders.get(posId);
        return order ? { order: qrOrderJson(order), merchantOrderId: order.merchantOrderId } : undefined;
      }),
    payQrOrder: (posId) => swept(() => payQrOrder(ctx, posId)),
    demoPayments: () => swept(() => describeDemoPayments(ctx, seeded)),
    ...orderControls(ctx, swept),
    ...chargebackControls(ctx, swept),
    ...reportControls(ctx, swept),

    requests: (filter) => requests.list(filter),
    clearRequests: () => requests.clear(),

    latency(ms, match = {}) {
      if (!Number.isFinite(ms) || ms < 0) throw new SandboxControlError('latency must be >= 0 ms');
      faults.arm(match, { kind: 'latency', ms });
    },
    status(code, statusOptions = {}) {
      if (!Number.isInteger(code) || code < 100 || code > 599)
        throw new SandboxControlError(`bad status ${code}`);
      const { body, headers, ...match } = statusOptions;
      faults.arm(match, { kind: 'status', status: code, body, headers: headers ?? {} });
    },
    drop: (match = {}) => faults.arm(match, { kind: 'drop' }),
    loseAnswer: (match = {}) => faults.arm(match, { kind: 'loseAnswer' }),
    refuse: async (refuseOptions = {}) => {
      log(`refusing connections${refuseOptions.forMs === undefined ? '' : ` for ${refuseOptions.forMs} ms`}`);
      await listener?.refuse(refuseOptions.forMs);
    },
    acceptConnections: async () => {
      await listener?.accept();
    },
    refundStatus(status, times = 1) {
      if (status !== 'in_process' && status !== 'rejected')
        throw new SandboxControlError(`bad refund status ${status}`);
      if (!Number.isInteger(times) || times < 1)
        throw new SandboxControlError('times must be a positive integer');
      for (let i = 0; i < times; i++) ctx.store.nextRefundStatuses.push(status);
    },
    armedFaults: () => [
      ...faults.list(),
      ...ctx.store.nextRefundStatuses.map((status) => ({
        kind: `refundStatus:${status}`,
        method: null,
        path: null,
        remaining: 1,
      })),
      ...(listener?.refusing ? [{ kind: 'refuse', method: null, path: null, remaining: 0 }] : []),
    ],
    resetFaults: async () => {
      faults.reset();
      ctx.store.nextRefundStatuses.length = 0;
      await listener?.accept();
    },

    sendNotification: async (input) => notifier.send(swept(() => resolveSend(ctx, input))),
    notifications: () => notifier.deliveries(),
    notificationsIdle: () => notifier.idle(),
  };

  const handler = createRequestHandler({
    api: { ctx, keys: new IdempotencyKeys(now), sweep },
    faults,
    requests,
    isRefusing: () => listener?.refusing ?? false,
    control: createControlHandler(sandbox),
    closing: closing.signal,
    log,
  });
  listener = new SandboxListener(handler, options.host ?? '127.0.0.1', options.port ?? 0);
  await listener.accept();
  // The clock may be real: QR orders expire and notify even when nobody calls.
  const sweeper = setInterval(runSweep, 1000);
  sweeper.unref();
  closing.signal.addEventListener('abort', () => clearInterval(sweeper));
  log(`Mercado Pago sandbox listening on ${sandbox.url}`);
  return sandbox;
};
