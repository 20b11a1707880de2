/**
 * The time windows of the settlement rules (API.md, "How refund outcomes are settled"), from configuration,
 * and the context every ledger rule runs in. Rules take the time as an argument: they never read a clock.
 */
import type { Actor } from './actor.ts';

export interface SettlementSettings {
  /** RESEND_WINDOW_SECONDS: how long after its first attempt an unknown outcome may be re-sent with its key. */
  resendWindowMs: number;
  /** SETTLEMENT_CLOCK_TOLERANCE_SECONDS: allowed difference between our clock and Mercado Pago's. */
  clockToleranceMs: number;
  /** RECONCILE_PENDING_AFTER_SECONDS: when reconciliation first looks at new pending work. */
  firstCheckAfterMs: number;
}

export const DEFAULT_SETTLEMENT_SETTINGS: SettlementSettings = {
  resendWindowMs: 600_000,
  clockToleranceMs: 60_000,
  firstCheckAfterMs: 120_000,
};

/** What a rule needs besides the ledger: the time, who acts, how to name a new refund, the windows. */
export interface RuleContext {
  /** ISO-8601 UTC with milliseconds. */
  now: string;
  by: Actor;
  newRefundId: () => string;
  settings: SettlementSettings;
}

export const nowMsOf = (context: Pick<RuleContext, 'now'>): number => Date.parse(context.now);
