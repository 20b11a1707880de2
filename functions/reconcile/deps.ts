/** What the reconciliation job needs: the stores, Mercado Pago, and its thresholds. */
import type { CheckDeps } from '../operations/check-ledger.ts';
import type { SweepDeps } from '../operations/sweep-new-refunds.ts';
import {
  createRuntime,
  ledgerDepsOf,
  mercadoPagoClientOf,
  type Runtime,
  refundSweepOf,
} from '../runtime/runtime.ts';
import type { ReconcileConfig } from './config.ts';

export interface ReconcileDeps extends CheckDeps, SweepDeps {
  /** The seller (MP_USER_ID). */
  userId: string | undefined;
}

/** From a function's configuration (Lambda cold start, or `npm run reconcile`). */
export const reconcileDeps = (
  config: ReconcileConfig,
  runtime: Runtime = createRuntime(config.storage),
): ReconcileDeps => ({
  ...ledgerDepsOf(runtime, config.settlement),
  mercadoPago: mercadoPagoClientOf(runtime, config.mercadoPago),
  userId: config.userId,
  siteId: config.siteId,
  attentionAfterMs: config.attentionAfterSeconds * 1000,
  refundSweep: refundSweepOf(runtime),
});
