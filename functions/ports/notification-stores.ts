/** What the webhook keeps to handle each notification once and to bound unverifiable hints. */

export interface NotificationDedupeStore {
  /** true when this run owns the key now; false when it is done, or being processed within its lease. */
  claim(key: string, owner: string, nowMs: number, leaseMs: number): Promise<boolean>;
  complete(key: string, owner: string): Promise<void>;
  /** Frees the key for a retry (only the owner's claim). */
  fail(key: string, owner: string): Promise<void>;
}

export interface HintLimiter {
  /** true when the resource may be re-read now (and the window starts); false within the window. */
  tryAcquire(resource: string, id: string, nowMs: number): Promise<boolean>;
}
