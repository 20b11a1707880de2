/** What the reconciliation job needs: the processing deps, plus the idempotency keys it must respect. */
import type { ProcessingDeps } from '../shared/notifications/deps.ts';
import type { IdempotencyStore } from '../shared/storage/idempotency-store.ts';

export interface ReconcileDeps extends ProcessingDeps {
  idempotency: Pick<IdempotencyStore, 'getWithLedger' | 'takeOver'>;
  /** RECONCILE_PENDING_AFTER_SECONDS. */
  pendingAfterSeconds: number;
}
