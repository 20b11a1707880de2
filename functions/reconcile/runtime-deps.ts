/** The reconciliation job's deps from a function's runtime (Lambda cold start, or `npm run reconcile`). */
import type { Runtime } from '../runtime.ts';
import type { ReconcileDeps } from './deps.ts';

export const reconcileDeps = (runtime: Runtime): ReconcileDeps => ({
  mercadoPago: runtime.mercadoPago,
  ledgers: runtime.ledgers,
  clock: runtime.clock,
  newId: runtime.newId,
  settings: runtime.settings,
  userId: runtime.config.mercadoPago.userId,
  attentionAfterMs: runtime.config.attentionAfterSeconds * 1000,
});
