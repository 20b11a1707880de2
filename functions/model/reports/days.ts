/** UTC days (`YYYY-MM-DD`): what reports are requested, stored and listed by. */

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written `YYYY-MM-DD` (`2026-02-30` is not one). */
export const isDay = (value: string): boolean => {
  if (!DAY.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00.000Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
};

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const startOfDay = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);

export const addDays = (day: string, days: number): string => dayOf(startOfDay(day) + days * DAY_MS);

/** Days from `from` to `to`, both included (`to` before `from`: none). */
export const daysBetween = (from: string, to: string): string[] => {
  const days: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) days.push(day);
  return days;
};

/** Days in the range, both included. */
export const spanOf = (from: string, to: string): number =>
  Math.round((startOfDay(to) - startOfDay(from)) / DAY_MS) + 1;

/** The period a day's report is requested for (Mercado Pago's dates, UTC). */
export const reportPeriodOf = (day: string): { beginDate: string; endDate: string } => ({
  beginDate: `${day}T00:00:00Z`,
  endDate: `${day}T23:59:59Z`,
});
