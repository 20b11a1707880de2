/**
 * `GET/POST/PUT /v1/account/settlement_report/config`. None exists at first (GET 404). POST creates it (201)
 * and, when one exists, answers 409 (the sandbox's choice: the docs are silent); PUT updates it (200; 404
 * while none exists). Fields per NOTES §2; unknown fields are ignored, `scheduled` is read-only. Reports
 * requested while none exists use the defaults (the real sample's columns, `;`).
 */
import { mpError } from './mp-errors.ts';
import type { SettlementConfig } from './report-records.ts';

/** The columns of the documented sample file, in its order. */
export const DEFAULT_COLUMNS = [
  'EXTERNAL_REFERENCE',
  'SOURCE_ID',
  'USER_ID',
  'PAYMENT_METHOD_TYPE',
  'PAYMENT_METHOD',
  'SITE',
  'TRANSACTION_TYPE',
  'TRANSACTION_AMOUNT',
  'TRANSACTION_CURRENCY',
  'TRANSACTION_DATE',
  'FEE_AMOUNT',
  'SETTLEMENT_NET_AMOUNT',
  'SETTLEMENT_CURRENCY',
  'SETTLEMENT_DATE',
  'REAL_AMOUNT',
  'COUPON_AMOUNT',
  'METADATA',
  'MKP_FEE_AMOUNT',
  'FINANCING_FEE_AMOUNT',
  'SHIPPING_FEE_AMOUNT',
  'TAXES_AMOUNT',
  'INSTALLMENTS',
  'ORDER_ID',
  'SHIPPING_ID',
  'SHIPMENT_MODE',
  'PACK_ID',
] as const;

const SEPARATORS = [';', ',', '|', '\t'];
const FREQUENCY_TYPES = ['daily', 'weekly', 'monthly'] as const;

export const defaultConfig = (userId: string): SettlementConfig => ({
  file_name_prefix: `settlement-report-${userId}`,
  columns: DEFAULT_COLUMNS.map((key) => ({ key })),
  frequency: { hour: 0, type: 'monthly', value: 1 },
  display_timezone: 'GMT-04',
  separator: ';',
  notification_email_list: [],
  refund_detailed: false,
  coupon_detailed: false,
  shipping_detail: false,
  show_chargeback_cancel: false,
  show_fee_prevision: false,
  scheduled: false,
});

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const bad = (nowMs: number, message: string) => mpError(nowMs, 400, 'bad_request', message);

const BOOLEANS = [
  'refund_detailed',
  'coupon_detailed',
  'shipping_detail',
  'show_chargeback_cancel',
  'show_fee_prevision',
] as const;

/** The configuration `body` asks for, over `base` (defaults for POST, the current one for PUT). */
export const mergeConfig = (base: SettlementConfig, body: unknown, nowMs: number): SettlementConfig => {
  if (!isObject(body)) throw bad(nowMs, 'The body must be a JSON object');
  const next: SettlementConfig = { ...base, columns: [...base.columns], frequency: { ...base.frequency } };
  if (body.file_name_prefix !== undefined) {
    if (typeof body.file_name_prefix !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(body.file_name_prefix))
      throw bad(nowMs, 'file_name_prefix must be 1 to 100 letters, digits, - or _');
    next.file_name_prefix = body.file_name_prefix;
  }
  if (body.columns !== undefined) {
    const columns = body.columns;
    if (
      !Array.isArray(columns) ||
      columns.length === 0 ||
      !columns.every((c) => isObject(c) && typeof c.key === 'string' && /^[A-Z_]{1,64}$/.test(c.key))
    )
      throw bad(nowMs, 'columns must be a non-empty array of {"key": "COLUMN_NAME"}');
    next.columns = columns.map((c) => ({ key: String((c as JsonObject).key) }));
  }
  if (body.frequency !== undefined) {
    const f = body.frequency;
    if (
      !isObject(f) ||
      !Number.isInteger(f.hour) ||
      (f.hour as number) < 0 ||
      (f.hour as number) > 23 ||
      !FREQUENCY_TYPES.includes(f.type as (typeof FREQUENCY_TYPES)[number]) ||
      (typeof f.value !== 'number' && typeof f.value !== 'string')
    )
      throw bad(nowMs, 'frequency must be {hour: 0-23, type: daily|weekly|monthly, value}');
    next.frequency = {
      hour: f.hour as number,
      type: f.type as SettlementConfig['frequency']['type'],
      value: f.value,
    };
  }
  if (body.separator !== undefined) {
    if (typeof body.separator !== 'string' || !SEPARATORS.includes(body.separator))
      throw bad(nowMs, 'separator must be one of ; , | or a tab');
    next.separator = body.separator;
  }
  if (body.display_timezone !== undefined) {
    if (typeof body.display_timezone !== 'string' || !/^GMT[+-]\d{2}(:?\d{2})?$/.test(body.display_timezone))
      throw bad(nowMs, 'display_timezone must look like GMT-04');
    next.display_timezone = body.display_timezone;
  }
  if (body.notification_email_list !== undefined) {
    const list = body.notification_email_list;
    if (!Array.isArray(list) || !list.every((e) => typeof e === 'string'))
      throw bad(nowMs, 'notification_email_list must be an array of strings');
    next.notification_email_list = list as string[];
  }
  for (const name of BOOLEANS) {
    const value = body[name];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw bad(nowMs, `${name} must be true or false`);
    next[name] = value;
  }
  if (body.sftp_info !== undefined) {
    if (!isObject(body.sftp_info)) throw bad(nowMs, 'sftp_info must be an object');
    next.sftp_info = body.sftp_info;
  }
  return next;
};

/** `GMT-04` -> `-04:00` (the offset report dates are written with). */
export const offsetOf = (timezone: string): string => {
  const match = /^GMT([+-])(\d{2}):?(\d{2})?$/.exec(timezone);
  return match ? `${match[1]}${match[2]}:${match[3] ?? '00'}` : '-04:00';
};
