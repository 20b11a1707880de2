/**
 * Before re-sending a call with a caller's key, the job takes that key's lock (as a resumed request would),
 * so the API route cannot send the same call at the same time: it answers 409 REFUND_IN_PROGRESS meanwhile.
 */
import type { ReconcileDeps } from './deps.ts';

/** Longer than any API function's lock (25 s timeout + 2 s margin): an attempt this old has ended. */
export const ATTEMPT_LOCK_MS = 30_000;

/** Takes the key's lock until the job's `deadline` plus an attempt's length; true when there is no key. */
export const acquireResendLock = async (
  deps: Pick<ReconcileDeps, 'idempotency' | 'clock' | 'newId'>,
  idempotencyKey: string | null | undefined,
  paymentId: string,
  deadline: number,
): Promise<boolean> => {
  if (!idempotencyKey) return true;
  const nowMs = deps.clock.now();
  const { record } = await deps.idempotency.getWithLedger(idempotencyKey, paymentId);
  if (!record || record.paymentId !== paymentId) return false;
  // The request finished (its answer is stored): a retry of it replays, it never calls again.
  if (record.response) return true;
  if (record.lockedUntil > nowMs) return false;
  return deps.idempotency.takeOver(record, `reconcile:${deps.newId('lock')}`, deadline + ATTEMPT_LOCK_MS);
};
