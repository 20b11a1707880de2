/** The reconciliation job's deps from a function's runtime (Lambda cold start, or `npm run reconcile`). */
import { processingDeps } from '../shared/notifications/runtime-deps.ts';
import type { Runtime } from '../shared/runtime.ts';
import type { ReconcileDeps } from './deps.ts';

export const reconcileDeps = (runtime: Runtime): ReconcileDeps => ({
  ...processingDeps(runtime),
  idempotency: runtime.idempotency,
  pendingAfterSeconds: runtime.config.reconcilePendingAfterSeconds,
});
