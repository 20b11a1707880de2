/**
 * The time budgets that depend on each other (functions/config/timing.ts), stated as the relations that make
 * them safe; the stack is checked to use the same table (test/infra/stack.test.ts asserts what it synthesizes).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY } from '../../functions/adapters/mercadopago/retry.ts';
import {
  EXTERNAL_LIMITS_SECONDS,
  FUNCTION_TIMEOUT_SECONDS,
  INTEGRATION_TIMEOUT_SECONDS,
  RECONCILE_EVERY_MINUTES,
  TIMING,
} from '../../functions/config/timing.ts';
import { FUNCTION_SPECS } from '../../infra/constructs/service-functions.ts';

const ms = (seconds: number) => seconds * 1000;
const API_FUNCTIONS = ['refunds', 'cancellation', 'qr-orders'] as const;

describe('timing table', () => {
  it('the stack deploys every function with the timeout of the table', () => {
    for (const [id, seconds] of Object.entries(FUNCTION_TIMEOUT_SECONDS)) {
      expect(FUNCTION_SPECS[id as keyof typeof FUNCTION_SPECS].timeout.toSeconds(), id).toBe(seconds);
    }
  });

  it('API functions answer before the HTTP API gives up on them', () => {
    for (const id of API_FUNCTIONS) {
      expect(FUNCTION_TIMEOUT_SECONDS[id]).toBeLessThan(INTEGRATION_TIMEOUT_SECONDS);
    }
    expect(INTEGRATION_TIMEOUT_SECONDS).toBeLessThanOrEqual(EXTERNAL_LIMITS_SECONDS.httpApiIntegration);
    expect(TIMING.fallbackRemainingMs).toBeLessThanOrEqual(ms(FUNCTION_TIMEOUT_SECONDS.refunds));
  });

  it('an HTTP function stops work early enough to still answer, and middy answers before the timeout', () => {
    expect(TIMING.httpDeadlineMarginMs).toBeGreaterThan(TIMING.answerBeforeTimeoutMs);
  });

  it('a lock outlives the request that holds it', () => {
    expect(TIMING.lockMarginMs).toBeGreaterThan(0);
    // The work stops at timeout - httpDeadlineMargin; the lock lasts lockMargin past that: past the timeout.
    expect(TIMING.lockMarginMs).toBeGreaterThanOrEqual(TIMING.httpDeadlineMarginMs);
  });

  it('the webhook answers before Mercado Pago stops waiting, inline work included', () => {
    expect(FUNCTION_TIMEOUT_SECONDS.webhook).toBeLessThan(EXTERNAL_LIMITS_SECONDS.mercadoPagoWebhookWait);
    expect(TIMING.webhookInlineBudgetMs + TIMING.httpDeadlineMarginMs).toBeLessThan(
      ms(FUNCTION_TIMEOUT_SECONDS.webhook),
    );
  });

  it('a notification claim never expires while the webhook that took it can still run', () => {
    expect(TIMING.webhookClaimLeaseMs).toBeGreaterThan(ms(FUNCTION_TIMEOUT_SECONDS.webhook));
  });

  it("a claim left by a run that died is free again before Mercado Pago's first retry", () => {
    expect(TIMING.webhookClaimLeaseMs).toBeLessThan(ms(EXTERNAL_LIMITS_SECONDS.mercadoPagoNotificationRetry));
  });

  it('one Mercado Pago call fits in the budgets that contain it', () => {
    expect(DEFAULT_RETRY_POLICY.totalTimeoutMs).toBe(TIMING.mercadoPagoCallBudgetMs);
    expect(TIMING.mercadoPagoCallBudgetMs).toBeLessThanOrEqual(TIMING.reconcileLedgerBudgetMs);
    expect(TIMING.mercadoPagoCallBudgetMs).toBeLessThan(ms(FUNCTION_TIMEOUT_SECONDS.refunds));
  });

  it('the processor and reconciliation keep time back to report, and a ledger started last still finishes', () => {
    expect(TIMING.processorMarginMs).toBeLessThan(ms(FUNCTION_TIMEOUT_SECONDS['notification-processor']));
    expect(TIMING.reconcileLedgerBudgetMs).toBeLessThanOrEqual(TIMING.reconcileMarginMs);
    expect(TIMING.reconcileMarginMs).toBeLessThan(ms(FUNCTION_TIMEOUT_SECONDS.reconcile));
  });

  it('one reconciliation run ends before the next starts', () => {
    expect(FUNCTION_TIMEOUT_SECONDS.reconcile).toBeLessThanOrEqual(RECONCILE_EVERY_MINUTES * 60);
  });
});
