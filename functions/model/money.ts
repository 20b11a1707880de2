/**
 * Money in integer minor units. Mercado Pago and the HTTP contract speak JSON numbers in major units
 * (`10.5`); every computation here is done on integers so that no float rounding can move a cent.
 */

import { must } from './invariant.ts';

/** Currencies of Mercado Pago's sites: CLP and COP have no minor unit, the others two decimals. */
export const CURRENCY_DECIMALS = {
  ARS: 2,
  BRL: 2,
  MXN: 2,
  CLP: 0,
  COP: 0,
  PEN: 2,
  UYU: 2,
} as const;

export type Currency = keyof typeof CURRENCY_DECIMALS;

export const SITE_CURRENCY = {
  MLA: 'ARS',
  MLB: 'BRL',
  MLM: 'MXN',
  MLC: 'CLP',
  MCO: 'COP',
  MPE: 'PEN',
  MLU: 'UYU',
} as const satisfies Record<string, Currency>;

export type SiteId = keyof typeof SITE_CURRENCY;

export const isCurrency = (value: string): value is Currency => Object.hasOwn(CURRENCY_DECIMALS, value);
export const isSiteId = (value: string): value is SiteId => Object.hasOwn(SITE_CURRENCY, value);

export const siteOfCurrency = (currency: Currency): SiteId =>
  must(
    (Object.keys(SITE_CURRENCY) as SiteId[]).find((site) => SITE_CURRENCY[site] === currency),
    `currency ${currency} is some site's`,
  );

/** Decimals allowed for a currency; unknown currencies are treated as two-decimal ones. */
export const decimalsOf = (currency: string): number =>
  isCurrency(currency) ? CURRENCY_DECIMALS[currency] : 2;

/**
 * Converts a major-unit amount to minor units, or returns null when it has more decimals than the
 * currency allows, is not finite, or is too large to be exact. Works on the number's shortest decimal
 * representation (what JSON carried), so `0.1 + 0.2` style float noise cannot sneak in.
 */
export const toMinorUnits = (amount: number, decimals: number): number | null => {
  if (!Number.isFinite(amount)) return null;
  const text = String(Math.abs(amount));
  if (/e/i.test(text)) {
    // Exponent forms: only tiny fractions (e-7 and below) or huge numbers; both are out of range.
    return null;
  }
  const [whole = '0', fraction = ''] = text.split('.');
  if (fraction.length > decimals) return null;
  const minor = Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, '0') || '0');
  if (!Number.isSafeInteger(minor)) return null;
  return amount < 0 ? -minor : minor;
};

/**
 * For amounts that Mercado Pago reports (which may carry float noise such as 12.340000000000002):
 * rounds to the nearest minor unit.
 */
export const roundToMinorUnits = (amount: number, decimals: number): number => {
  const minor = Math.round(Number((amount * 10 ** decimals).toFixed(6)));
  return Object.is(minor, -0) ? 0 : minor;
};

/** Minor units back to a JSON number in major units (`1050` -> `10.5`). */
export const fromMinorUnits = (minor: number, decimals: number): number => {
  if (decimals === 0) return minor;
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const factor = 10 ** decimals;
  const whole = Math.floor(abs / factor);
  const fraction = String(abs % factor).padStart(decimals, '0');
  return Number(`${sign}${whole}.${fraction}`);
};

/**
 * Minor units as the decimal string the Orders API takes (`1050` -> `"10.50"`, CLP `25990` -> `"25990"`):
 * written from the integer, never through a float.
 */
export const toDecimalString = (minor: number, decimals: number): string => {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError('an amount must be whole minor units');
  if (decimals === 0) return String(minor);
  const factor = 10 ** decimals;
  return `${Math.floor(minor / factor)}.${String(minor % factor).padStart(decimals, '0')}`;
};
