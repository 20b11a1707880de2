/**
 * Stage and account settings, read from CDK context (`cdk.json`, or `-c key=value` on the command line) and
 * checked at synth time: a bad value fails `cdk synth` naming the key, instead of failing a cold start.
 * Context given with `-c` arrives as strings, from cdk.json as JSON values: both are accepted.
 */

import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { parseRefundWindow } from '../functions/config/fields.ts';
import { isSiteId, type SiteId } from '../functions/model/money.ts';
import { LogLevel, type LogLevelName } from '../functions/observability/logger.ts';

/** Context keys, as written in cdk.json or after `-c`. infra/README.md documents each. */
export const ContextKey = {
  stage: 'stage',
  authMode: 'authMode',
  jwtIssuer: 'jwtIssuer',
  jwtAudience: 'jwtAudience',
  alarmEmail: 'alarmEmail',
  throttlingRateLimit: 'throttlingRateLimit',
  throttlingBurstLimit: 'throttlingBurstLimit',
  mpApiBaseUrl: 'mpApiBaseUrl',
  mpSiteId: 'mpSiteId',
  mpUserId: 'mpUserId',
  mpExternalStoreId: 'mpExternalStoreId',
  refundWindowDays: 'refundWindowDays',
  webhookToleranceSeconds: 'webhookToleranceSeconds',
  reconcilePendingAfterSeconds: 'reconcilePendingAfterSeconds',
  attentionAfterSeconds: 'attentionAfterSeconds',
  publicWebhookUrl: 'publicWebhookUrl',
  qrApi: 'qrApi',
  logLevel: 'logLevel',
  logRetentionDays: 'logRetentionDays',
  accessTokenSecretArn: 'accessTokenSecretArn',
  webhookSecretArn: 'webhookSecretArn',
  reportGraceDays: 'reportGraceDays',
  reportWaitHours: 'reportWaitHours',
  reportsManageConfig: 'reportsManageConfig',
  chargebackWarningDays: 'chargebackWarningDays',
} as const;

export const AuthMode = { Iam: 'iam', Jwt: 'jwt' } as const;
export type AuthMode = (typeof AuthMode)[keyof typeof AuthMode];

export interface JwtSettings {
  issuer: string;
  audience: string[];
}

export interface StackSettings {
  stage: string;
  authMode: AuthMode;
  /** Set when authMode is `jwt`. */
  jwt: JwtSettings | undefined;
  alarmEmail: string | undefined;
  throttling: { rateLimit: number; burstLimit: number };
  mercadoPago: {
    apiBaseUrl: string | undefined;
    siteId: SiteId;
    userId: string | undefined;
    externalStoreId: string | undefined;
  };
  /** Raw REFUND_WINDOW_DAYS value (already checked), or undefined for the functions' default. */
  refundWindowDays: string | undefined;
  webhookToleranceSeconds: number | undefined;
  reconcilePendingAfterSeconds: number | undefined;
  /** ATTENTION_AFTER_SECONDS of reconcile and the operations routes: when pending work is listed for a person. */
  attentionAfterSeconds: number | undefined;
  /** The webhook URL to give Mercado Pago when it is not the API's own (e.g. a custom domain). */
  publicWebhookUrl: string | undefined;
  /** QR_API of the till routes: `instore` (the functions' default when unset) or `orders`. */
  qrApi: 'instore' | 'orders' | undefined;
  logLevel: LogLevelName;
  logRetention: RetentionDays;
  /** Existing secrets to use instead of creating them (complete ARNs, with the 6-character suffix). */
  accessTokenSecretArn: string | undefined;
  webhookSecretArn: string | undefined;
  /** The reports job's settings (REPORT_GRACE_DAYS...), undefined for the functions' defaults. */
  reports: {
    graceDays: number | undefined;
    waitHours: number | undefined;
    manageConfig: boolean | undefined;
    chargebackWarningDays: number | undefined;
  };
}

export class SettingsError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(`CDK context "${key}" ${message}`);
    this.name = 'SettingsError';
    this.key = key;
  }
}

export const DEFAULT_THROTTLING = { rateLimit: 50, burstLimit: 100 } as const;
export const DEFAULT_LOG_RETENTION = RetentionDays.THREE_MONTHS;

const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Lookup = (key: string) => unknown;

const text = (lookup: Lookup, key: string): string | undefined => {
  const raw = lookup(key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    throw new SettingsError(key, 'must be a string or a number');
  }
  const value = String(raw).trim();
  return value === '' ? undefined : value;
};

const matching = (lookup: Lookup, key: string, pattern: RegExp, what: string): string | undefined => {
  const value = text(lookup, key);
  if (value !== undefined && !pattern.test(value))
    throw new SettingsError(key, `must be ${what}, got "${value}"`);
  return value;
};

const integer = (lookup: Lookup, key: string, min: number, max: number): number | undefined => {
  const value = text(lookup, key);
  if (value === undefined) return undefined;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(parsed >= min && parsed <= max))
    throw new SettingsError(key, `must be a whole number from ${min} to ${max}`);
  return parsed;
};

/** An https URL; trailing slashes are dropped unless `exact` (a JWT issuer must match the `iss` claim as is). */
const httpsUrl = (lookup: Lookup, key: string, exact = false): string | undefined => {
  const value = text(lookup, key);
  if (value === undefined) return undefined;
  let protocol = '';
  try {
    protocol = new URL(value).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'https:') throw new SettingsError(key, `must be an https URL, got "${value}"`);
  return exact ? value : value.replace(/\/+$/, '');
};

const list = (lookup: Lookup, key: string): string[] => {
  const raw = lookup(key);
  const items = Array.isArray(raw) ? raw.map(String) : (text(lookup, key) ?? '').split(',');
  return items.map((item) => item.trim()).filter((item) => item !== '');
};

const retention = (lookup: Lookup): RetentionDays => {
  const days = integer(lookup, ContextKey.logRetentionDays, 1, 3653);
  if (days === undefined) return DEFAULT_LOG_RETENTION;
  const allowed = Object.values(RetentionDays).filter(
    (value): value is RetentionDays => typeof value === 'number',
  );
  const match = allowed.find((value) => value === days);
  if (match === undefined) {
    throw new SettingsError(
      ContextKey.logRetentionDays,
      `must be one of CloudWatch's retention periods: ${allowed.join(', ')}`,
    );
  }
  return match;
};

/** Reads and checks every setting; `lookup` is a context reader, e.g. `(key) => app.node.tryGetContext(key)`. */
export const readSettings = (lookup: Lookup): StackSettings => {
  const authMode = text(lookup, ContextKey.authMode) ?? AuthMode.Iam;
  if (authMode !== AuthMode.Iam && authMode !== AuthMode.Jwt) {
    throw new SettingsError(ContextKey.authMode, `must be "iam" or "jwt", got "${authMode}"`);
  }
  let jwt: JwtSettings | undefined;
  if (authMode === AuthMode.Jwt) {
    const issuer = httpsUrl(lookup, ContextKey.jwtIssuer, true);
    if (issuer === undefined)
      throw new SettingsError(ContextKey.jwtIssuer, 'is required when authMode is "jwt"');
    const audience = list(lookup, ContextKey.jwtAudience);
    if (audience.length === 0)
      throw new SettingsError(ContextKey.jwtAudience, 'is required when authMode is "jwt"');
    jwt = { issuer, audience };
  }

  const rateLimit =
    integer(lookup, ContextKey.throttlingRateLimit, 1, 10_000) ?? DEFAULT_THROTTLING.rateLimit;
  const burstLimit =
    integer(lookup, ContextKey.throttlingBurstLimit, 1, 5_000) ?? DEFAULT_THROTTLING.burstLimit;

  const siteId = text(lookup, ContextKey.mpSiteId) ?? 'MLB';
  if (!isSiteId(siteId))
    throw new SettingsError(
      ContextKey.mpSiteId,
      `must be one of MLA, MLB, MLM, MLC, MCO, MPE, MLU, got "${siteId}"`,
    );

  const refundWindowDays = text(lookup, ContextKey.refundWindowDays);
  try {
    parseRefundWindow(refundWindowDays);
  } catch (error) {
    throw new SettingsError(ContextKey.refundWindowDays, (error as Error).message);
  }

  const logLevel = (text(lookup, ContextKey.logLevel) ?? 'info').toLowerCase();
  if (!Object.hasOwn(LogLevel, logLevel))
    throw new SettingsError(ContextKey.logLevel, 'must be debug, info, warn or error');

  return {
    stage: matching(lookup, ContextKey.stage, STAGE, 'lowercase letters, digits and - (at most 20)') ?? 'dev',
    authMode,
    jwt,
    alarmEmail: matching(lookup, ContextKey.alarmEmail, EMAIL, 'an email address'),
    throttling: { rateLimit, burstLimit },
    mercadoPago: {
      apiBaseUrl: httpsUrl(lookup, ContextKey.mpApiBaseUrl),
      siteId,
      userId: matching(lookup, ContextKey.mpUserId, /^\d{1,20}$/, 'digits'),
      externalStoreId: matching(
        lookup,
        ContextKey.mpExternalStoreId,
        /^[A-Za-z0-9_-]{1,64}$/,
        '1-64 letters, digits, - or _',
      ),
    },
    refundWindowDays,
    webhookToleranceSeconds: integer(lookup, ContextKey.webhookToleranceSeconds, 1, 86_400),
    reconcilePendingAfterSeconds: integer(lookup, ContextKey.reconcilePendingAfterSeconds, 1, 86_400),
    attentionAfterSeconds: integer(lookup, ContextKey.attentionAfterSeconds, 1, 31_536_000),
    publicWebhookUrl: httpsUrl(lookup, ContextKey.publicWebhookUrl),
    qrApi: matching(lookup, ContextKey.qrApi, /^(instore|orders)$/, '"instore" or "orders"') as
      | 'instore'
      | 'orders'
      | undefined,
    logLevel: logLevel as LogLevelName,
    logRetention: retention(lookup),
    accessTokenSecretArn: matching(
      lookup,
      ContextKey.accessTokenSecretArn,
      SECRET_ARN,
      'a complete Secrets Manager secret ARN',
    ),
    webhookSecretArn: matching(
      lookup,
      ContextKey.webhookSecretArn,
      SECRET_ARN,
      'a complete Secrets Manager secret ARN',
    ),
    reports: {
      graceDays: integer(lookup, ContextKey.reportGraceDays, 0, 60),
      waitHours: integer(lookup, ContextKey.reportWaitHours, 1, 168),
      manageConfig: flag(lookup, ContextKey.reportsManageConfig),
      chargebackWarningDays: integer(lookup, ContextKey.chargebackWarningDays, 0, 60),
    },
  };
};

const flag = (lookup: Lookup, key: string): boolean | undefined => {
  const raw = lookup(key);
  if (raw === undefined || raw === null) return undefined;
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new SettingsError(key, 'must be true or false');
};

/** Reads the settings of a construct tree's context. */
export const settingsFromContext = (node: Node): StackSettings =>
  readSettings((key) => node.tryGetContext(key));
