/**
 * Settings of the Orders API, chargebacks and reports: defaults, checks, and how `startSandbox` options and
 * `configure` patches apply to them (the older settings stay in index.ts).
 */
import type { SiteId } from '../../functions/model/money.ts';
import type {
  CanceledSpelling,
  ChargebackForm,
  ChargebackNotifications,
  OrderWebhookSigning,
  PartialRefundAction,
  ReportListForm,
  ReportRefundSign,
  SandboxSettings,
} from './context.ts';
import { SandboxControlError } from './mp-errors.ts';

export interface NewerSettingsPatch {
  /** Default 500; null: order refunds stay `processing` until `settleOrderRefund`. */
  orderRefundDelayMs?: number | null;
  /** Default 330 (QR reference; unsettled: 90 to 360). */
  orderRefundWindowDays?: number;
  orderRefundWindowDaysBySite?: Partial<Record<SiteId, number>>;
  /** `{MLB: false}`: partial refunds of MLB orders answer `unsupported_partially_refunds`. Default: all allowed. */
  orderPartialRefundsBySite?: Partial<Record<SiteId, boolean>>;
  /** Default `raw`. */
  orderWebhookSigning?: OrderWebhookSigning;
  /** Default `canceled`. */
  orderCanceledSpelling?: CanceledSpelling;
  /** Default `order.refunded`. */
  orderPartialRefundAction?: PartialRefundAction;
  /** Default `documented`. */
  chargebackForm?: ChargebackForm;
  /** Default `webhook`. */
  chargebackNotifications?: ChargebackNotifications;
  /** Default 500. */
  reportDelayMs?: number;
  /** Default `array`. */
  reportListForm?: ReportListForm;
  /** Default `negative`. */
  reportRefundSign?: ReportRefundSign;
}

export type NewerSettings = Pick<SandboxSettings, keyof NewerSettingsPatch>;

export const DEFAULT_ORDER_REFUND_DELAY_MS = 500;
export const DEFAULT_ORDER_REFUND_WINDOW_DAYS = 330;
export const DEFAULT_REPORT_DELAY_MS = 500;

const oneOf = <T extends string>(name: string, value: T, allowed: readonly T[]): T => {
  if (!allowed.includes(value)) throw new SandboxControlError(`${name} must be one of ${allowed.join(', ')}`);
  return value;
};

const delay = (name: string, ms: number): number => {
  if (!Number.isFinite(ms) || ms < 0) throw new SandboxControlError(`${name} must be >= 0 ms`);
  return ms;
};

const days = (ms: number): number => {
  if (!Number.isInteger(ms) || ms < 1)
    throw new SandboxControlError(`a refund window is whole days, got ${ms}`);
  return ms;
};

export const defaultNewerSettings = (): NewerSettings => ({
  orderRefundDelayMs: DEFAULT_ORDER_REFUND_DELAY_MS,
  orderRefundWindowDays: DEFAULT_ORDER_REFUND_WINDOW_DAYS,
  orderRefundWindowDaysBySite: {},
  orderPartialRefundsBySite: {},
  orderWebhookSigning: 'raw',
  orderCanceledSpelling: 'canceled',
  orderPartialRefundAction: 'order.refunded',
  chargebackForm: 'documented',
  chargebackNotifications: 'webhook',
  reportDelayMs: DEFAULT_REPORT_DELAY_MS,
  reportListForm: 'array',
  reportRefundSign: 'negative',
});

export const applyNewerSettings = (settings: NewerSettings, patch: NewerSettingsPatch): void => {
  const p = patch;
  if (p.orderRefundDelayMs !== undefined)
    settings.orderRefundDelayMs =
      p.orderRefundDelayMs === null ? null : delay('orderRefundDelayMs', p.orderRefundDelayMs);
  if (p.orderRefundWindowDays !== undefined) settings.orderRefundWindowDays = days(p.orderRefundWindowDays);
  if (p.orderRefundWindowDaysBySite !== undefined) {
    for (const value of Object.values(p.orderRefundWindowDaysBySite)) if (value !== undefined) days(value);
    settings.orderRefundWindowDaysBySite = { ...p.orderRefundWindowDaysBySite };
  }
  if (p.orderPartialRefundsBySite !== undefined)
    settings.orderPartialRefundsBySite = { ...p.orderPartialRefundsBySite };
  if (p.orderWebhookSigning !== undefined)
    settings.orderWebhookSigning = oneOf('orderWebhookSigning', p.orderWebhookSigning, [
      'raw',
      'lowercase',
      'none',
    ]);
  if (p.orderCanceledSpelling !== undefined)
    settings.orderCanceledSpelling = oneOf('orderCanceledSpelling', p.orderCanceledSpelling, [
      'canceled',
      'cancelled',
    ]);
  if (p.orderPartialRefundAction !== undefined) {
    settings.orderPartialRefundAction = oneOf('orderPartialRefundAction', p.orderPartialRefundAction, [
      'order.refunded',
      'order.processed',
    ]);
  }
  if (p.chargebackForm !== undefined)
    settings.chargebackForm = oneOf('chargebackForm', p.chargebackForm, ['documented', 'sdk']);
  if (p.chargebackNotifications !== undefined) {
    settings.chargebackNotifications = oneOf('chargebackNotifications', p.chargebackNotifications, [
      'webhook',
      'ipn',
      'both',
    ]);
  }
  if (p.reportDelayMs !== undefined) settings.reportDelayMs = delay('reportDelayMs', p.reportDelayMs);
  if (p.reportListForm !== undefined)
    settings.reportListForm = oneOf('reportListForm', p.reportListForm, ['array', 'paging']);
  if (p.reportRefundSign !== undefined)
    settings.reportRefundSign = oneOf('reportRefundSign', p.reportRefundSign, ['negative', 'positive']);
};
