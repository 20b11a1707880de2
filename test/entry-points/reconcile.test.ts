/**
 * The reconciliation entry point (functions/reconcile/handler.ts) as Lambda loads it: configuration checked
 * at cold start, then runs started by the schedule's EventBridge event through the real wiring (environment
 * -> runtime -> run) against the sandbox and dynalite, answering the run's report.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../../functions/reconcile/run.ts';
import { refundApi } from '../refunds/support.ts';
import { scheduledEvent } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import { lambdaContext } from '../support/events.ts';
import type { Harness } from '../support/harness.ts';

type Reconcile = (event: ScheduledEvent, context: Context) => Promise<ReconcileReport>;

const rig = coldStartRig(() => import('../../functions/reconcile/handler.ts'));
const { withEnv } = rig;
const load = async () => (await rig.load()) as unknown as Reconcile;
let h: Harness;
let baseEnv: Record<string, string>;

/** The reconciliation's Lambda timeout (config/timing.ts), as its context says. */
const RECONCILE_TIMEOUT_MS = 300_000;

beforeAll(() => {
  h = rig.harness();
  baseEnv = rig.baseEnv();
  h.sandbox.configure({ notificationsEnabled: false });
});
beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.clearRequests();
  h.clearEvents();
});

/**
 * A refund Mercado Pago made `in_process` (202, pending), due for its first check at once; then settled
 * `approved` at Mercado Pago, with no notification: only reconciliation can learn it.
 */
const pendingRefundSettledAtMercadoPago = async () => {
  const paymentId = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 80 });
  h.sandbox.refundStatus('in_process');
  const api = refundApi(h, { settings: { ...h.settings, firstCheckAfterMs: 0 } });
  const created = await api.refund(paymentId, { amount: 30 });
  expect(created.status).toBe(202);
  expect(created.body).toMatchObject({ status: 'pending', mercadoPagoRefundId: expect.any(String) });
  h.sandbox.settleRefund(created.body.mercadoPagoRefundId, 'approved');
  h.sandbox.clearRequests();
  h.clearEvents();
  return { paymentId, refundId: created.body.id as string };
};

describe('reconcile handler', () => {
  it.each([
    ['ATTENTION_AFTER_SECONDS', 'a day'],
    ['RECONCILE_PENDING_AFTER_SECONDS', '0'],
    ['MP_ACCESS_TOKEN', ''],
    ['DYNAMODB_ENDPOINT', 'not a url'],
  ])('cold start fails when %s is %j, naming the variable', async (variable, value) => {
    withEnv({ ...baseEnv, [variable]: value });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable });
  });

  it('answers the report of a run with nothing due', async () => {
    withEnv(baseEnv);
    const reconcile = await load();
    const report = await reconcile(scheduledEvent(), lambdaContext(RECONCILE_TIMEOUT_MS));
    expect(report).toEqual({
      swept: 0,
      handedOver: 0,
      seen: 0,
      checked: 0,
      settled: 0,
      resent: 0,
      overdue: 0,
      failed: 0,
      oldestPendingRefundAgeSeconds: 0,
      complete: true,
    });
    expect(h.sandbox.requests()).toEqual([]);
  });

  it('settles a pending refund that Mercado Pago settled, and reports it', async () => {
    const { paymentId, refundId } = await pendingRefundSettledAtMercadoPago();
    withEnv(baseEnv);
    const reconcile = await load();

    const report = await reconcile(scheduledEvent(), lambdaContext(RECONCILE_TIMEOUT_MS));

    expect(report).toEqual({
      swept: 0,
      handedOver: 0,
      seen: 1,
      checked: 1,
      settled: 1,
      resent: 0,
      overdue: 0,
      failed: 0,
      oldestPendingRefundAgeSeconds: 0,
      complete: true,
    });
    // Re-read at the configured Mercado Pago with our token; nothing re-sent.
    expect(h.sandbox.requests({ method: 'GET', path: `/v1/payments/${paymentId}` })).toEqual([
      expect.objectContaining({ tokenValid: true }),
    ]);
    expect(h.sandbox.requests({ method: 'POST' })).toEqual([]);
    const entry = (await h.ledgers.get(paymentId))?.refunds.find((r) => r.id === refundId);
    expect(entry).toMatchObject({ status: 'succeeded', settledBy: 'reconciliation' });
    expect(h.events().map((e) => e['detail-type'])).toContain('Refund Succeeded');

    // Nothing is due any more: the next scheduled run sees nothing.
    expect(await reconcile(scheduledEvent(), lambdaContext(RECONCILE_TIMEOUT_MS))).toMatchObject({
      seen: 0,
      complete: true,
    });
  });

  it('keeps its margin from the Lambda timeout: with less time left it starts nothing and says so', async () => {
    const { paymentId } = await pendingRefundSettledAtMercadoPago();
    withEnv(baseEnv);
    const reconcile = await load();

    const report = await reconcile(scheduledEvent(), lambdaContext(20_000));

    expect(report).toMatchObject({ seen: 0, checked: 0, settled: 0, complete: false });
    expect(h.sandbox.requests()).toEqual([]);
    expect((await h.ledgers.get(paymentId))?.refunds[0]?.status).toBe('pending');

    // The next run, with its full time, settles it.
    const next = await reconcile(scheduledEvent(), lambdaContext(RECONCILE_TIMEOUT_MS));
    expect(next).toMatchObject({ seen: 1, settled: 1, complete: true });
  });
});
