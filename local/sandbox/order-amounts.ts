/**
 * Orders API money and durations: amounts are decimal strings with two decimals or none (`"50.00"`,
 * `"50"`); numbers are read too (the docs' own curl sends them). Answers write the currency's decimals.
 */
import { type Currency, decimalsOf, fromMinorUnits, toMinorUnits } from '../../functions/model/money.ts';

/** Minor units of a positive amount, or null when it is not one (string or number). */
export const orderAmountMinor = (value: unknown, currency: Currency): number | null => {
  const decimals = decimalsOf(currency);
  if (typeof value === 'number') {
    const minor = toMinorUnits(value, decimals);
    return minor !== null && minor > 0 ? minor : null;
  }
  if (typeof value !== 'string') return null;
  const match = /^(\d{1,13})(?:\.(\d{2}))?$/.exec(value);
  if (!match) return null;
  const cents = Number(match[1]) * 100 + Number(match[2] ?? '0');
  if (decimals === 0 && cents % 100 !== 0) return null;
  const minor = decimals === 0 ? cents / 100 : cents;
  return minor > 0 ? minor : null;
};

export const formatOrderAmount = (minor: number, currency: Currency): string => {
  const decimals = decimalsOf(currency);
  return fromMinorUnits(minor, decimals).toFixed(decimals);
};

export const DEFAULT_EXPIRATION_TIME = 'PT15M';
const MIN_EXPIRATION_MS = 30_000;
const MAX_EXPIRATION_MS = 3600 * 3_600_000;

/** Milliseconds of an ISO-8601 duration made of days, hours, minutes and seconds; null otherwise. */
export const durationMs = (value: string): number | null => {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return null;
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
};

/** 30 s to 3600 h. */
export const isValidExpiration = (ms: number): boolean => ms >= MIN_EXPIRATION_MS && ms <= MAX_EXPIRATION_MS;
