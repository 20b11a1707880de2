/** What the reconciliation job needs: the stores, Mercado Pago, and its thresholds. */
import type { LedgerDeps, MercadoPagoDeps } from '../operations/deps.ts';

export interface ReconcileDeps extends LedgerDeps, MercadoPagoDeps {
  /** The seller (MP_USER_ID). */
  userId: string | undefined;
  /** ATTENTION_AFTER_SECONDS, in ms: pending work older than this is reported for a person. */
  attentionAfterMs: number;
}
