/** Where idempotency keys are kept (functions/adapters/dynamodb implements it). */
import type { Ledger } from '../model/ledger/types.ts';

export interface StoredResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface IdempotencyRecord {
  key: string;
  /** The route key the key was first used on. */
  route: string;
  /** The payment (or order) it was used on. */
  subjectId: string;
  fingerprint: string;
  /** The refund this key reserved (refund routes). */
  refundId?: string;
  lockOwner: string;
  /** Epoch ms; after it a retry may take the work over. */
  lockedUntil: number;
  /** The final answer when it cannot be derived from the ledger (refusals before any reservation). */
  response?: StoredResponse;
  createdAt: string;
  /** Epoch seconds: the item is forgotten after this (its TTL). */
  expiresAt: number;
}

export interface IdempotencyStore {
  /** One consistent read of the key and the ledger (a replay costs exactly this); an expired key is absent. */
  getWithLedger(
    key: string,
    subjectId: string,
    nowMs: number,
  ): Promise<{ record?: IdempotencyRecord; ledger?: Ledger }>;
  /** false when the key exists already (and has not expired). */
  claim(record: IdempotencyRecord, nowMs: number): Promise<boolean>;
  /** Takes an expired lock over; false when someone else did first. */
  takeOver(record: IdempotencyRecord, owner: string, lockedUntil: number): Promise<boolean>;
  /** Stores the final answer (only while holding the lock). */
  complete(key: string, owner: string, response: StoredResponse): Promise<void>;
  /** Frees the key (validation failures, and upstream failures that leave it free). */
  release(key: string, owner: string): Promise<void>;
}
