/** Where ledgers are kept: what the operations need from storage (functions/adapters/dynamodb implements it). */
import type { LedgerEvent } from '../model/ledger/change.ts';
import type { Ledger } from '../model/ledger/types.ts';

export interface DueLedger {
  id: string;
  nextCheckAt: string;
}

export interface LedgerStore {
  get(id: string): Promise<Ledger | undefined>;
  /**
   * Stores `ledger` if nobody wrote since its `version`, with the events out of `events` as the item's
   * outbox; returns the stored ledger, or null on a conflict.
   */
  save(ledger: Ledger, events?: readonly LedgerEvent[]): Promise<Ledger | null>;
  /** Ledgers whose next check is due at `now`, earliest first, read from the due-work index only. */
  due(now: string, pageSize?: number): AsyncIterable<DueLedger>;
  /** When the oldest pending work of any ledger began (null: none pending), read from the index only. */
  oldestPending(): Promise<string | null>;
}

/** A ledger kept changing under a read-modify-write: the write gave up (nothing is lost; retry later). */
export class LedgerConflictError extends Error {
  constructor(id: string, attempts: number) {
    super(`Ledger ${id} kept changing under us (${attempts} attempts)`);
    this.name = 'LedgerConflictError';
  }
}
