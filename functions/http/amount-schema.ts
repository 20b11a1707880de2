import * as z from 'zod/mini';
import { toMinorUnits } from '../model/money.ts';

/** Largest amount accepted anywhere (major units): far above any real payment, far below float trouble. */
export const MAX_AMOUNT = 999_999_999;

/**
 * What an amount with too many decimals breaks, in the contract's words: `decimalsRule(0, 'CLP')` is
 * "must be a whole amount in CLP", `decimalsRule(2)` "must have at most 2 decimals". One wording for every
 * route, so clients see the same message for the same rule.
 */
export const decimalsRule = (decimals: number, currency?: string): string => {
  const rule =
    decimals === 0
      ? 'must be a whole amount'
      : `must have at most ${decimals} decimal${decimals === 1 ? '' : 's'}`;
  return currency === undefined ? rule : `${rule} in ${currency}`;
};

/**
 * A money amount in major units as the contract takes it: a positive JSON number with at most 2 decimals.
 * Currencies without minor units (CLP, COP) are checked again once the currency is known.
 * Each rule aborts the ones after it, so an amount gets one message: `1e308` is out of range, and saying
 * it also has too many decimals (it has none) would only confuse.
 */
export const amountSchema = z.number().check(
  z.refine((value) => Number.isFinite(value) && value > 0, {
    message: 'must be a positive number',
    abort: true,
  }),
  z.refine((value) => value <= MAX_AMOUNT, { message: `must be at most ${MAX_AMOUNT}`, abort: true }),
  z.refine((value) => toMinorUnits(value, 2) !== null, decimalsRule(2)),
);
