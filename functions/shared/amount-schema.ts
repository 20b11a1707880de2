import * as z from 'zod/mini';
import { toMinorUnits } from './money.ts';

/** Largest amount accepted anywhere (major units): far above any real payment, far below float trouble. */
export const MAX_AMOUNT = 999_999_999;

/**
 * A money amount in major units as the contract takes it: a positive JSON number with at most 2 decimals.
 * Currencies without minor units (CLP, COP) are checked again once the currency is known.
 */
export const amountSchema = z.number().check(
  z.refine((value) => Number.isFinite(value) && value > 0, 'must be a positive number'),
  z.refine((value) => value <= MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`),
  z.refine((value) => toMinorUnits(value, 2) !== null, 'must have at most 2 decimals'),
);
