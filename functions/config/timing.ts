/**
 * Times that depend on each other. A request's lock (its Idempotency-Key item and its attempt in the
 * ledger) lasts until its function's deadline plus LOCK_MARGIN_MS, so a lock never expires while the
 * request that holds it can still be running.
 */
export const LOCK_MARGIN_MS = 2_000;

export const lockUntil = (deadline: number): number => deadline + LOCK_MARGIN_MS;
