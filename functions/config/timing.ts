/**
 * Every time budget that depends on another, in one table, so a change to one is checked against the rest
 * (test/unit/timing.test.ts states the relations). The stack takes the functions' timeouts from here
 * (infra/constructs/service-functions.ts); the functions take their margins and budgets from here.
 */

/** Each function's Lambda timeout, in seconds. */
export const FUNCTION_TIMEOUT_SECONDS = {
  /** API functions answer within the HTTP API's 30 s integration limit. */
  refunds: 25,
  cancellation: 25,
  orders: 25,
  'qr-orders': 25,
  /** The operations routes: API functions too (the attention list reads every open ledger). */
  ops: 25,
  /** Mercado Pago waits 22 s for the webhook's answer (then retries anyway). */
  webhook: 20,
  /** Sets the queue's visibility timeout (six times it). */
  'notification-processor': 60,
  /** Runs every RECONCILE_EVERY_MINUTES: one run ends before the next starts. */
  reconcile: 300,
  /** Downloads and reconciles a day's report (a busy day's file streams through in minutes). */
  'reports-job': 900,
  /** The reports routes read the table only. */
  reports: 25,
  'not-found': 5,
  /** A batch is at most 25 records of a few events: a few PutEvents calls, retried within the call. */
  'event-publisher': 30,
} as const;

/**
 * Limits set by others: the HTTP API's integration timeout, how long Mercado Pago waits for a webhook's
 * answer, and when it first retries a notification that got none (NOTES.md: every 15 minutes).
 */
export const EXTERNAL_LIMITS_SECONDS = {
  httpApiIntegration: 30,
  mercadoPagoWebhookWait: 22,
  mercadoPagoNotificationRetry: 900,
} as const;

/** The HTTP API's wait for a function (the stack's integrations): above the API functions' timeouts. */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

/** How often the reconciliation job runs (the stack's schedule). */
export const RECONCILE_EVERY_MINUTES = 5;

/** How often the reports job runs (the stack's schedule). */
export const REPORTS_EVERY_MINUTES = 60;

export const TIMING = {
  /**
   * A request's lock (its Idempotency-Key item and its attempt in the ledger) lasts until its function's
   * deadline plus this, so a lock never expires while the request that holds it can still be running.
   */
  lockMarginMs: 2_000,
  /** HTTP functions stop work this long before their Lambda timeout, so the answer still gets out. */
  httpDeadlineMarginMs: 2_000,
  /** middy answers (500) this long before the Lambda timeout, so the answer and its log still get out. */
  answerBeforeTimeoutMs: 500,
  /** Remaining time assumed when a context has no clock (hand-made contexts in tests): an API timeout. */
  fallbackRemainingMs: FUNCTION_TIMEOUT_SECONDS.refunds * 1000,
  /** Work the webhook does inline (no queue) gets at most this much of Mercado Pago's wait. */
  webhookInlineBudgetMs: 12_000,
  /**
   * A notification taken by the webhook counts as handled this long (duplicates within it are answered
   * `duplicate`); a claim left by a run that died is free again after it, before Mercado Pago's first retry.
   */
  webhookClaimLeaseMs: 600_000,
  /** Time the notification processor keeps back from its timeout so the batch response still gets out. */
  processorMarginMs: 5_000,
  /** Time reconciliation keeps back: the last ledgers started still finish and the run reports. */
  reconcileMarginMs: 30_000,
  /** Time one ledger's check may take at most in reconciliation (a read, a few re-sends, the writes). */
  reconcileLedgerBudgetMs: 20_000,
  /** Time the reports job keeps back from its timeout: the day being written still is, and the run reports. */
  reportsMarginMs: 60_000,
  /** How long a reports run waits for a file it just requested before leaving it to the next run. */
  reportsWaitForFileMs: 120_000,
  /** Bound on one Mercado Pago call, retries and waits included (the caller's deadline can only shorten it). */
  mercadoPagoCallBudgetMs: 20_000,
} as const;

export const lockUntil = (deadline: number): number => deadline + TIMING.lockMarginMs;
