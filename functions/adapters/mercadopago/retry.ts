/** Retry timing for Mercado Pago calls: exponential backoff with full jitter, and `Retry-After`. */

import { TIMING } from '../../config/timing.ts';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest `Retry-After` this client waits for; a longer one ends the retries (reported to the caller). */
  retryAfterCapMs: number;
  /** Bound on a whole call, retries and waits included (the caller's deadline can only shorten it). */
  totalTimeoutMs: number;
  /** No retry starts (its wait included) with less time than this left before the deadline. */
  minAttemptMs: number;
  /** `retryAfterSeconds` suggested when Mercado Pago was unreachable and said nothing. */
  defaultRetryAfterSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  retryAfterCapMs: 5_000,
  totalTimeoutMs: TIMING.mercadoPagoCallBudgetMs,
  minAttemptMs: 500,
  defaultRetryAfterSeconds: 2,
};

/** Full jitter: a uniform wait in [0, min(max, base * 2^(attempt-1))). `attempt` is the one that failed. */
export const backoffDelayMs = (policy: RetryPolicy, attempt: number, random: () => number): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(Math.min(Math.max(random(), 0), 1) * ceiling);
};

/**
 * `Retry-After` as milliseconds from `nowMs`: delay-seconds or an HTTP date (RFC 9110). Undefined when
 * absent or malformed; a date in the past is 0.
 */
export const parseRetryAfterMs = (
  value: string | string[] | undefined,
  nowMs: number,
): number | undefined => {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only dates that name a weekday/month (IMF-fixdate and the obsolete forms), not bare numbers.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
};
