/** The one way operations change a ledger: optimistic read-modify-write with backoff on conflicts. */
import type { LedgerChange, LedgerEvent } from '../model/ledger/change.ts';
import type { Ledger } from '../model/ledger/types.ts';
import { LedgerConflictError, type LedgerStore } from '../ports/ledger-store.ts';

/** Backoff between conflicting writes: full jitter, growing to a ceiling (the sleep is injectable). */
export interface ConflictPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const DEFAULT_CONFLICT_POLICY: ConflictPolicy = {
  maxAttempts: 60,
  baseDelayMs: 5,
  maxDelayMs: 200,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * Optimistic read-modify-write: `change` computes the next ledger from the current one (a LedgerChange:
 * null ledger = nothing to write); on a concurrent write it runs again on a fresh read, after a jittered
 * backoff. Answers the ledger as stored (or as read, when nothing changed), the rule's result, and the
 * events of the write that was stored.
 */
export const updateLedger = async <T>(
  store: Pick<LedgerStore, 'get' | 'save'>,
  id: string,
  initial: Ledger | undefined,
  change: (current: Ledger | undefined) => LedgerChange<T>,
  policy: ConflictPolicy = DEFAULT_CONFLICT_POLICY,
): Promise<{ ledger: Ledger | undefined; result: T; events: readonly LedgerEvent[]; written: boolean }> => {
  let current = initial;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const { ledger, result, events } = change(current);
    if (ledger === null) return { ledger: current, result, events: [], written: false };
    const saved = await store.save(ledger, events);
    if (saved) return { ledger: saved, result, events, written: true };
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 10));
    await policy.sleep(Math.floor(policy.random() * ceiling));
    current = await store.get(id);
  }
  throw new LedgerConflictError(id, policy.maxAttempts);
};
