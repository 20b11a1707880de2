/**
 * Configuration from the environment, checked once at cold start (and at `npm start`): a missing or
 * malformed value throws a ConfigError naming the variable, so the process stops before serving.
 */

import { isSiteId, type SiteId } from '../model/money.ts';
import type { SettlementSettings } from '../model/settings.ts';
import { LogLevel, type LogLevelName } from '../observability/logger.ts';

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`Configuration error: ${variable} ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** Where a secret comes from: a value (local) or a Secrets Manager ARN (AWS). */
export type SecretSource = { kind: 'value'; value: string } | { kind: 'secretsManager'; arn: string };

export interface RefundWindow {
  defaultDays: number;
  bySite: Partial<Record<SiteId, number>>;
}

export interface AppConfig {
  tableName: string;
  dynamodbEndpoint: string | undefined;
  mercadoPago: {
    baseUrl: string;
    accessToken: SecretSource;
    userId: string | undefined;
    externalStoreId: string | undefined;
    siteId: SiteId;
  };
  webhook: {
    /** Comma-separated list (value) or `{"current","previous"}` JSON (ARN). */
    secrets: SecretSource | undefined;
    toleranceSeconds: number;
    publicUrl: string | undefined;
  };
  refundWindow: RefundWindow;
  reconcilePendingAfterSeconds: number;
  /** The settlement rules' windows (API.md): RESEND_WINDOW_SECONDS, SETTLEMENT_CLOCK_TOLERANCE_SECONDS. */
  settlement: SettlementSettings;
  /** IDEMPOTENCY_KEY_RETENTION_DAYS. */
  keyRetentionDays: number;
  /** ATTENTION_AFTER_SECONDS. */
  attentionAfterSeconds: number;
  logLevel: LogLevelName;
  /** EventBridge bus for events out; unset = events are written as log lines (locally: also to a file). */
  eventBusName: string | undefined;
  /** SQS queue for notifications (AWS); unset = notifications are processed inline. */
  notificationQueueUrl: string | undefined;
}

export type Env = Record<string, string | undefined>;

const DEFAULT_MP_API_BASE_URL = 'https://api.mercadopago.com';

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

const url = (env: Env, name: string, fallback?: string): string | undefined => {
  const raw = nonEmpty(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
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

/** `90`, or `MLA=360,MLB=180` (sites not named get 90), or both: `120,MLA=360`. */
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

export const loadConfig = (env: Env = process.env): AppConfig => {
  const accessToken = secretSource(env, 'MP_ACCESS_TOKEN', 'MP_ACCESS_TOKEN_SECRET_ARN');
  if (accessToken === undefined) {
    throw new ConfigError('MP_ACCESS_TOKEN', 'or MP_ACCESS_TOKEN_SECRET_ARN is required');
  }
  const webhookSecrets = secretSource(env, 'MP_WEBHOOK_SECRET', 'MP_WEBHOOK_SECRET_ARN');
  const siteId = nonEmpty(env, 'MP_SITE_ID') ?? 'MLB';
  if (!isSiteId(siteId))
    throw new ConfigError('MP_SITE_ID', `must be one of MLA, MLB, MLM, MLC, MCO, MPE, MLU, got "${siteId}"`);
  const userId = nonEmpty(env, 'MP_USER_ID');
  if (userId !== undefined && !/^\d{1,20}$/.test(userId))
    throw new ConfigError('MP_USER_ID', 'must be digits');
  const storeId = nonEmpty(env, 'MP_EXTERNAL_STORE_ID');
  if (storeId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(storeId)) {
    throw new ConfigError('MP_EXTERNAL_STORE_ID', 'must be 1-64 letters, digits, - or _');
  }
  const logLevel = (nonEmpty(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!Object.hasOwn(LogLevel, logLevel))
    throw new ConfigError('LOG_LEVEL', 'must be debug, info, warn or error');

  return {
    tableName: required(env, 'TABLE_NAME'),
    dynamodbEndpoint: url(env, 'DYNAMODB_ENDPOINT'),
    mercadoPago: {
      baseUrl: url(env, 'MP_API_BASE_URL', DEFAULT_MP_API_BASE_URL)!,
      accessToken,
      userId,
      externalStoreId: storeId,
      siteId,
    },
    webhook: {
      secrets: webhookSecrets,
      toleranceSeconds: integerIn(env, 'WEBHOOK_TOLERANCE_SECONDS', 300, 1, 86_400),
      publicUrl: url(env, 'PUBLIC_WEBHOOK_URL'),
    },
    refundWindow: parseRefundWindow(env.REFUND_WINDOW_DAYS),
    reconcilePendingAfterSeconds: integerIn(env, 'RECONCILE_PENDING_AFTER_SECONDS', 120, 1, 86_400),
    settlement: {
      resendWindowMs: integerIn(env, 'RESEND_WINDOW_SECONDS', 600, 1, 86_400) * 1000,
      clockToleranceMs: integerIn(env, 'SETTLEMENT_CLOCK_TOLERANCE_SECONDS', 60, 0, 3_600) * 1000,
      firstCheckAfterMs: integerIn(env, 'RECONCILE_PENDING_AFTER_SECONDS', 120, 1, 86_400) * 1000,
    },
    keyRetentionDays: integerIn(env, 'IDEMPOTENCY_KEY_RETENTION_DAYS', 30, 1, 3_650),
    attentionAfterSeconds: integerIn(env, 'ATTENTION_AFTER_SECONDS', 86_400, 1, 31_536_000),
    logLevel: logLevel as LogLevelName,
    eventBusName: nonEmpty(env, 'EVENT_BUS_NAME'),
    notificationQueueUrl: url(env, 'NOTIFICATION_QUEUE_URL'),
  };
};

/** The event publisher (the table's stream consumer) needs only the bus: it runs no loadConfig. */
export const loadEventPublisherConfig = (env: Env = process.env): { eventBusName: string } => ({
  eventBusName: required(env, 'EVENT_BUS_NAME'),
});
