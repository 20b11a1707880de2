/**
 * Readers of the environment's variables, one per variable or group, shared by the functions' own
 * configuration loaders (each function reads only the slice it uses: functions/<name>/config.ts). A missing
 * or malformed value throws a ConfigError naming the variable, so a cold start fails before serving.
 */

import { isSiteId, type SiteId } from '../model/money.ts';
import type { SettlementSettings } from '../model/settings.ts';
import { LogLevel } from '../observability/logger.ts';

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`Configuration error: ${variable} ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export type Env = Record<string, string | undefined>;

/** Where a secret comes from: a value (local) or a Secrets Manager ARN (AWS). */
export type SecretSource = { kind: 'value'; value: string } | { kind: 'secretsManager'; arn: string };

const nonEmpty = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value ? value : undefined;
};

const required = (env: Env, name: string): string => {
  const value = nonEmpty(env, name);
  if (value === undefined) throw new ConfigError(name, 'is required');
  return value;
};

const integerIn = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a non-negative whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be from ${min} to ${max}, got ${value}`);
  return value;
};

const checkedUrl = (name: string, raw: string): string => {
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
};

const optionalUrl = (env: Env, name: string): string | undefined => {
  const raw = nonEmpty(env, name);
  return raw === undefined ? undefined : checkedUrl(name, raw);
};

const secretSource = (env: Env, valueName: string, arnName: string): SecretSource | undefined => {
  const arn = nonEmpty(env, arnName);
  if (arn !== undefined) {
    if (!/^arn:aws[a-z-]*:secretsmanager:/.test(arn))
      throw new ConfigError(arnName, 'must be a Secrets Manager ARN');
    return { kind: 'secretsManager', arn };
  }
  const value = nonEmpty(env, valueName);
  return value === undefined ? undefined : { kind: 'value', value };
};

/** LOG_LEVEL: checked at cold start (the root logger reads it at load, observability/logger.ts). */
export const checkLogLevel = (env: Env): void => {
  const level = (nonEmpty(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!Object.hasOwn(LogLevel, level))
    throw new ConfigError('LOG_LEVEL', 'must be debug, info, warn or error');
};

export interface StorageConfig {
  /** TABLE_NAME. */
  tableName: string;
  /** DYNAMODB_ENDPOINT: the embedded DynamoDB locally; unset in AWS. */
  dynamodbEndpoint: string | undefined;
}

export const readStorage = (env: Env): StorageConfig => ({
  tableName: required(env, 'TABLE_NAME'),
  dynamodbEndpoint: optionalUrl(env, 'DYNAMODB_ENDPOINT'),
});

export interface MercadoPagoAccess {
  /** MP_API_BASE_URL. */
  baseUrl: string;
  /** MP_ACCESS_TOKEN (local) or MP_ACCESS_TOKEN_SECRET_ARN (AWS). */
  accessToken: SecretSource;
}

const DEFAULT_MP_API_BASE_URL = 'https://api.mercadopago.com';

export const readMercadoPagoAccess = (env: Env): MercadoPagoAccess => {
  const accessToken = secretSource(env, 'MP_ACCESS_TOKEN', 'MP_ACCESS_TOKEN_SECRET_ARN');
  if (accessToken === undefined) {
    throw new ConfigError('MP_ACCESS_TOKEN', 'or MP_ACCESS_TOKEN_SECRET_ARN is required');
  }
  return {
    baseUrl: checkedUrl('MP_API_BASE_URL', nonEmpty(env, 'MP_API_BASE_URL') ?? DEFAULT_MP_API_BASE_URL),
    accessToken,
  };
};

/** MP_SITE_ID (default MLB): its currency is the payments' and orders' currency. */
export const readSiteId = (env: Env): SiteId => {
  const siteId = nonEmpty(env, 'MP_SITE_ID') ?? 'MLB';
  if (!isSiteId(siteId))
    throw new ConfigError('MP_SITE_ID', `must be one of MLA, MLB, MLM, MLC, MCO, MPE, MLU, got "${siteId}"`);
  return siteId;
};

/** MP_USER_ID: the seller (collector). Optional where only its checks depend on it. */
export const readUserId = (env: Env): string | undefined => {
  const userId = nonEmpty(env, 'MP_USER_ID');
  if (userId !== undefined && !/^\d{1,20}$/.test(userId))
    throw new ConfigError('MP_USER_ID', 'must be digits');
  return userId;
};

export const readExternalStoreId = (env: Env): string | undefined => {
  const storeId = nonEmpty(env, 'MP_EXTERNAL_STORE_ID');
  if (storeId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(storeId)) {
    throw new ConfigError('MP_EXTERNAL_STORE_ID', 'must be 1-64 letters, digits, - or _');
  }
  return storeId;
};

/** QR_API: which Mercado Pago API the till routes use: `instore` (the legacy one, default) or `orders`. */
export type QrApi = 'instore' | 'orders';

export const readQrApi = (env: Env): QrApi => {
  const value = nonEmpty(env, 'QR_API') ?? 'instore';
  if (value !== 'instore' && value !== 'orders')
    throw new ConfigError('QR_API', `must be "instore" or "orders", got "${value}"`);
  return value;
};

/** PUBLIC_WEBHOOK_URL: this service's notification URL. */
export const readPublicWebhookUrl = (env: Env): string | undefined => optionalUrl(env, 'PUBLIC_WEBHOOK_URL');

/** RECONCILE_PENDING_AFTER_SECONDS: when pending work is first checked. */
export const readReconcilePendingAfterSeconds = (env: Env): number =>
  integerIn(env, 'RECONCILE_PENDING_AFTER_SECONDS', 120, 1, 86_400);

/** The settlement rules' windows (API.md): RESEND_WINDOW_SECONDS, SETTLEMENT_CLOCK_TOLERANCE_SECONDS. */
export const readSettlement = (env: Env): SettlementSettings => ({
  resendWindowMs: integerIn(env, 'RESEND_WINDOW_SECONDS', 600, 1, 86_400) * 1000,
  clockToleranceMs: integerIn(env, 'SETTLEMENT_CLOCK_TOLERANCE_SECONDS', 60, 0, 3_600) * 1000,
  firstCheckAfterMs: readReconcilePendingAfterSeconds(env) * 1000,
});

/** IDEMPOTENCY_KEY_RETENTION_DAYS. */
export const readKeyRetentionDays = (env: Env): number =>
  integerIn(env, 'IDEMPOTENCY_KEY_RETENTION_DAYS', 30, 1, 3_650);

/** ATTENTION_AFTER_SECONDS. */
export const readAttentionAfterSeconds = (env: Env): number =>
  integerIn(env, 'ATTENTION_AFTER_SECONDS', 86_400, 1, 31_536_000);

export interface RefundWindow {
  defaultDays: number;
  bySite: Partial<Record<SiteId, number>>;
}

/** REFUND_WINDOW_DAYS: `90`, or `MLA=360,MLB=180` (sites not named get 90), or both: `120,MLA=360`. */
export const parseRefundWindow = (raw: string | undefined): RefundWindow => {
  const window: RefundWindow = { defaultDays: 90, bySite: {} };
  if (raw === undefined || raw.trim() === '') return window;
  for (const part of raw.split(',').map((p) => p.trim())) {
    const match = /^(?:([A-Z]{3})=)?(\d{1,4})$/.exec(part);
    const days = match ? Number(match[2]) : Number.NaN;
    if (!match || days < 1 || days > 3650) {
      throw new ConfigError('REFUND_WINDOW_DAYS', `must be days (1-3650) or SITE=days pairs, got "${raw}"`);
    }
    const site = match[1];
    if (site === undefined) window.defaultDays = days;
    else if (isSiteId(site)) window.bySite[site] = days;
    else throw new ConfigError('REFUND_WINDOW_DAYS', `names an unknown site "${site}"`);
  }
  return window;
};

export const refundWindowDaysFor = (window: RefundWindow, site: SiteId | undefined): number =>
  (site && window.bySite[site]) || window.defaultDays;

export interface WebhookSigning {
  /** MP_WEBHOOK_SECRET (comma-separated list) or MP_WEBHOOK_SECRET_ARN (`{"current","previous"}` JSON). */
  secrets: SecretSource;
  /** WEBHOOK_TOLERANCE_SECONDS. */
  toleranceSeconds: number;
}

/** Required: a webhook without its secret could only refuse every notification (API.md). */
export const readWebhookSigning = (env: Env): WebhookSigning => {
  const secrets = secretSource(env, 'MP_WEBHOOK_SECRET', 'MP_WEBHOOK_SECRET_ARN');
  if (secrets === undefined)
    throw new ConfigError('MP_WEBHOOK_SECRET', 'or MP_WEBHOOK_SECRET_ARN is required');
  return { secrets, toleranceSeconds: integerIn(env, 'WEBHOOK_TOLERANCE_SECONDS', 300, 1, 86_400) };
};

/** NOTIFICATION_QUEUE_URL: SQS queue for notifications (AWS); unset = processed inline. */
export const readNotificationQueueUrl = (env: Env): string | undefined =>
  optionalUrl(env, 'NOTIFICATION_QUEUE_URL');

/**
 * REPORTS_WAKE_QUEUE_URL: SQS queue a report-ready notice wakes the reports job through (AWS); unset = the
 * notice is acknowledged only, and the job runs on its schedule.
 */
export const readReportsWakeQueueUrl = (env: Env): string | undefined =>
  optionalUrl(env, 'REPORTS_WAKE_QUEUE_URL');

/** NOTIFICATION_DLQ_URL: the notifications' dead-letter queue, counted for a person (AWS); unset locally. */
export const readDeadLetterQueueUrl = (env: Env): string | undefined =>
  optionalUrl(env, 'NOTIFICATION_DLQ_URL');

/** EVENT_BUS_NAME: required by the event publisher, the only function that publishes. */
export const readEventBusName = (env: Env): string => required(env, 'EVENT_BUS_NAME');

/** The reports job's settings (API.md, "Reports" and Configuration). */
export interface ReportsSettingsConfig {
  /** REPORT_GRACE_DAYS (3; 0 or more). */
  graceDays: number;
  /** REPORT_WAIT_HOURS (24). */
  waitHours: number;
  /** REPORTS_MANAGE_CONFIG (`true` | `false`, default false). */
  manageConfig: boolean;
  /** CHARGEBACK_WARNING_DAYS (3). */
  chargebackWarningDays: number;
}

const booleanOf = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = nonEmpty(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(name, `must be true or false, got "${raw}"`);
  return raw === 'true';
};

export const readReportGraceDays = (env: Env): number => integerIn(env, 'REPORT_GRACE_DAYS', 3, 0, 60);

export const readReportsSettings = (env: Env): ReportsSettingsConfig => ({
  graceDays: readReportGraceDays(env),
  waitHours: integerIn(env, 'REPORT_WAIT_HOURS', 24, 1, 168),
  manageConfig: booleanOf(env, 'REPORTS_MANAGE_CONFIG', false),
  chargebackWarningDays: integerIn(env, 'CHARGEBACK_WARNING_DAYS', 3, 0, 60),
});

/** Where report files and results go: REPORTS_BUCKET (AWS) or REPORTS_DIR (locally, default `.reports`). */
export type ReportsArchiveConfig = { kind: 'bucket'; bucket: string } | { kind: 'dir'; dir: string };

export const readReportsArchive = (env: Env): ReportsArchiveConfig => {
  const bucket = nonEmpty(env, 'REPORTS_BUCKET');
  if (bucket !== undefined) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw new ConfigError('REPORTS_BUCKET', `must be an S3 bucket name, got "${bucket}"`);
    return { kind: 'bucket', bucket };
  }
  return { kind: 'dir', dir: nonEmpty(env, 'REPORTS_DIR') ?? '.reports' };
};
