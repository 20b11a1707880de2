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
   * An eventually consistent read (half the read units): possibly an earlier version. Only for callers whose
   * every decision on it is either checked by a versioned write or confirmed by `get` (sync-payment.ts).
   */
  peek(id: string): Promise<Ledger | undefined>;
  /** Several ledgers at once (eventually consistent reads, for reports); absent ids are not in the map. */
  getMany(ids: readonly string[]): Promise<Map<string, Ledger>>;
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

/** What the operations routes read besides single ledgers: every ledger that may hold something for a person. */
export interface LedgerQueries {
  /**
   * Ids of every ledger with pending work (due or not) or with findings for a person, from the indexes
   * only: each once, in no particular order. Ledgers whose new refunds reconciliation's sweep has not reached
   * yet are out of the due index: those with a refund created up to `unsweptUpTo` are included.
   */
  openLedgerIds(unsweptUpTo: string): AsyncIterable<string>;
  /** Those ledgers, read consistently (absent ones are left out). */
  getMany(ids: readonly string[]): Promise<Ledger[]>;
}

/** A ledger kept changing under a read-modify-write: the write gave up (nothing is lost; retry later). */
export class LedgerConflictError extends Error {
  constructor(id: string, attempts: number) {
    super(`Ledger ${id} kept changing under us (${attempts} attempts)`);
    this.name = 'LedgerConflictError';
  }
}
