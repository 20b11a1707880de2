/**
 * Orders API orders (`/v1/orders`) in the model's terms: their ids, what their status words mean for a
 * till and for money, the site of their country, and the ISO-8601 durations they expire after.
 */
import { isSiteId, type SiteId } from './money.ts';

/**
 * API.md: `ORD` followed by 20 to 40 letters or digits, in either case (the prefix too: guides lower-case
 * whole ids; test ids are longer: `ORDTST...`).
 */
export const ORDER_ID_PATTERN = /^ORD[A-Z0-9]{20,40}$/i;

/** Order ids are stored, compared and shown upper case. */
export const normalizeOrderId = (id: string): string => id.toUpperCase();

export const isOrderId = (id: string): boolean => ORDER_ID_PATTERN.test(id);

/** Not paid yet and still payable. */
const OPEN = new Set(['created', 'action_required', 'at_terminal']);
/** Money was received: paid, then possibly refunded or charged back. */
const PAID = new Set(['processed', 'refunded', 'charged_back']);
const CANCELLED = new Set(['canceled', 'cancelled']);

export const isOpenOrderStatus = (status: string): boolean => OPEN.has(status);
export const isPaidOrderStatus = (status: string): boolean => PAID.has(status);
export const isCancelledOrderStatus = (status: string): boolean => CANCELLED.has(status);
export const isExpiredOrderStatus = (status: string): boolean => status === 'expired';

/** What a till's order is, as the till routes show it (a cancelled or failed one is none). */
export type TillOrderStatus = 'open' | 'paid' | 'expired' | 'none';

export const tillStatusOf = (status: string): TillOrderStatus => {
  if (isOpenOrderStatus(status)) return 'open';
  if (isPaidOrderStatus(status)) return 'paid';
  if (isExpiredOrderStatus(status)) return 'expired';
  return 'none';
};

/** `country_code` of an order (three letters; two in some SDK mocks) -> its site. */
const COUNTRY_SITE: Record<string, SiteId> = {
  ARG: 'MLA',
  AR: 'MLA',
  BRA: 'MLB',
  BR: 'MLB',
  MEX: 'MLM',
  MX: 'MLM',
  CHL: 'MLC',
  CL: 'MLC',
  COL: 'MCO',
  CO: 'MCO',
  PER: 'MPE',
  PE: 'MPE',
  URY: 'MLU',
  UY: 'MLU',
};

/** The site of an order: its `site_id` when it is one, else its `country_code`'s; null when neither says. */
export const orderSiteOf = (siteId: string | null, countryCode: string | null): SiteId | null => {
  const site = siteId?.toUpperCase();
  if (site !== undefined && isSiteId(site)) return site;
  return countryCode ? (COUNTRY_SITE[countryCode.toUpperCase()] ?? null) : null;
};

/** Whole seconds as the ISO-8601 duration Orders takes: `600` -> `PT10M`, `90` -> `PT1M30S`, `86400` -> `PT24H`. */
export const isoDuration = (seconds: number): string => {
  if (!Number.isSafeInteger(seconds) || seconds <= 0) throw new RangeError('a duration is positive seconds');
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${rest ? `${rest}S` : ''}`;
};
