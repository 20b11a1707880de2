/** What the webhook keeps to handle each notification once and to bound unverifiable hints. */

export interface NotificationDedupeStore {
  /**
   * One conditional write: true when this run takes the notification (never seen, or last taken more than
   * `leaseMs` ago); false when it was taken within the lease (a duplicate). A taken notification needs no
   * further write: the lease outlives its processing and ends before Mercado Pago's first retry.
   */
  claim(key: string, owner: string, nowMs: number, leaseMs: number): Promise<boolean>;
  /** Frees the key at once for a retry (only this owner's claim): the work failed. */
  release(key: string, owner: string): Promise<void>;
}

export interface HintLimiter {
  /** true when the resource may be re-read now (and the window starts); false within the window. */
  tryAcquire(resource: string, id: string, nowMs: number): Promise<boolean>;
}
