import { randomUUID } from 'node:crypto';

export const SECOND_MS = 1000;
export const DAY_MS = 86_400_000;

/** Payments and refunds carry a local offset, merchant orders `-00:00`: clients must accept both. */
export const PAYMENT_OFFSET = '-04:00';
export const MERCHANT_ORDER_OFFSET = '-00:00';

/** ISO-8601 with milliseconds and an explicit offset, as Mercado Pago writes its dates. */
export const mpDate = (ms: number, offset: string = PAYMENT_OFFSET): string => {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) throw new Error(`bad offset ${offset}`);
  const minutes = (Number(match[2]) * 60 + Number(match[3])) * (match[1] === '-' ? -1 : 1);
  return new Date(ms + minutes * 60_000).toISOString().replace('Z', offset);
};

const two = (n: number): string => String(n).padStart(2, '0');

/** `data` of an error cause: `23-09-2021T17:56:16UTC;<uuid>`, the form of Mercado Pago's error bodies. */
export const errorCauseData = (ms: number): string => {
  const d = new Date(ms);
  const date = `${two(d.getUTCDate())}-${two(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`;
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  return `${date}T${time}UTC;${randomUUID()}`;
};

/** A control input date: epoch ms, an ISO string or a Date. */
export type DateInput = number | string | Date;

export const toEpochMs = (value: DateInput): number => {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`not a date: ${String(value)}`);
  return ms;
};
