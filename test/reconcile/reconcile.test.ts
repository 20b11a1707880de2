/**
 * The reconciliation job against the sandbox and dynalite: refunds and cancellations left pending by lost
 * answers are re-sent with their own key within their re-send window (Mercado Pago answers what the key
 * made, or makes it once), whatever unrelated refunds the payment has; never while an attempt may still be
 * running, never after the window; backed off, and reported after a day.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CancellationDeps } from '../../functions/cancellation/deps.ts';
import { cancellationRoutes } from '../../functions/cancellation/routes.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { createRefund } from '../../functions/refunds/create-refund.ts';
import type { RefundDeps } from '../../functions/refunds/deps.ts';
import { type InvokeResult, invoke, type LambdaLike, newId, refundWindow } from '../support/harness.ts';
import {
  approvedPayment,
  paymentReads,
  type Rig,
  refundPosts,
  silentLogger,
  startRig,
} from '../webhook/rig.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

let rig: Rig;
let cancellation: LambdaLike;

beforeAll(async () => {
  rig = await startRig();
  const deps: CancellationDeps = {
    mercadoPago: rig.h.mercadoPago,
    ledgers: rig.h.ledgers,
    idempotency: rig.h.idempotency,
    clock: rig.h.clock,
    newId,
    settings: rig.h.settings,
    keyRetentionDays: 30,
  };
  cancellation = createHttpHandler(
    cancellationRoutes(async () => deps),
    { logger: silentLogger },
  );
});

afterAll(async () => {
  await rig?.close();
});

beforeEach(async () => {
  await rig.reset();
});

const reconcile = () =>
  runReconcile(rig.reconcileDeps(), {
    log: silentLogger,
    deadline: rig.clock.now() + 60_000,
  });

const refund = (paymentId: string, body: unknown, key = `k-${paymentId}`): Promise<InvokeResult> =>
  invoke(rig.refunds, {
    method: 'POST',
    path: `/payments/${paymentId}/refunds`,
    body,
    headers: { 'idempotency-key': key },
  });

const refundDepsOf = (r: Rig): RefundDeps => ({
  mercadoPago: r.h.mercadoPago,
  ledgers: r.h.ledgers,
  idempotency: r.h.idempotency,
  clock: r.h.clock,
  newId,
  settings: r.h.settings,
  keyRetentionDays: 30,
  refundWindow,
});

const refundPath = (paymentId: string) => `^/v1/payments/${paymentId}/refunds$`;

const entryOf = async (paymentId: string, refundId: string) =>
  (await rig.h.ledgers.get(paymentId))?.refunds.find((e) => e.id === refundId);

describe('reads', () => {
  it('reads a due ledger once: the check applies its re-read to the ledger it read (no second read)', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.loseAnswer({ method: 'POST', path: refundPath(paymentId), times: 10 });
    expect((await refund(paymentId, { amount: 5 })).status).toBe(202);
    await rig.h.sandbox.resetFaults();
    rig.clock.advance(3 * MINUTE);
    const reads: string[] = [];
    const ledgers = {
      ...rig.h.ledgers,
      get: (id: string) => {
        reads.push(id);
        return rig.h.ledgers.get(id);
      },
    };
    const report = await runReconcile(rig.reconcileDeps({ ledgers }), {
      log: silentLogger,
      deadline: rig.clock.now() + 60_000,
    });
    expect(report).toMatchObject({ checked: 1, settled: 1 });
    // One read for the check; the re-send (a conflict-free write on the version read) reads nothing more.
    expect(reads.filter((id) => id === paymentId)).toHaveLength(1);
  });
});

describe('refunds left pending by lost answers', () => {
  it('settles a refund Mercado Pago made (answers lost) by re-sending its own key: the same refund, one event', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.loseAnswer({ method: 'POST', path: refundPath(paymentId), times: 10 });
    const created = await refund(paymentId, { amount: 25 });
    expect(created.status).toBe(202);
    await rig.h.sandbox.resetFaults();

    const early = await reconcile();
    expect(early.checked).toBe(0);
    expect(paymentReads(rig, paymentId).length).toBe(1);

    rig.clock.advance(3 * MINUTE);
    const report = await reconcile();
    expect(report).toMatchObject({ checked: 1, settled: 1, resent: 1, failed: 0 });
    expect(await entryOf(paymentId, created.body.id)).toMatchObject({ status: 'succeeded' });
    expect(new Set(refundPosts(rig, paymentId).map((p) => p.idempotencyKey)).size).toBe(1);
    expect(rig.h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    expect(rig.eventsInFile().map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
    expect(rig.metricCount('RefundSucceeded')).toBeGreaterThanOrEqual(1);
  });

  it('re-sends a refund Mercado Pago never received, with the same key, shortly after: exactly one refund', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.drop({ method: 'POST', path: refundPath(paymentId), times: 10 });
    const created = await refund(paymentId, { amount: 40 });
    expect(created.status).toBe(202);
    expect(rig.h.sandbox.refundsOf(paymentId)).toHaveLength(0);
    const firstKeys = new Set(refundPosts(rig, paymentId).map((r) => r.idempotencyKey));
    expect(firstKeys.size).toBe(1);
    await rig.h.sandbox.resetFaults();

    rig.clock.advance(3 * MINUTE);
    const report = await reconcile();
    expect(report).toMatchObject({ checked: 1, resent: 1, settled: 1 });
    const posts = refundPosts(rig, paymentId);
    expect(new Set(posts.map((r) => r.idempotencyKey))).toEqual(firstKeys);
    expect(posts.at(-1)?.body).toEqual({ amount: 40 });
    expect(rig.h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    expect(await entryOf(paymentId, created.body.id)).toMatchObject({
      status: 'succeeded',
      mercadoPagoRefundId: String(rig.h.sandbox.refundsOf(paymentId)[0]!.id),
    });
    expect(rig.events().map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);

    // The caller's retry now answers the settled refund, and nothing more reaches Mercado Pago.
    const replay = await refund(paymentId, { amount: 40 });
    expect(replay.status).toBe(201);
    expect(refundPosts(rig, paymentId)).toHaveLength(posts.length);
  });

  it('never re-sends while an attempt may still be running (its lock), and does once it has expired', async () => {
    const paymentId = approvedPayment(rig);
    let reached!: () => void;
    const calling = new Promise<void>((resolve) => {
      reached = resolve;
    });
    // A first attempt whose function hangs in the call for up to five minutes (its deadline).
    const hanging = {
      ...rig.h.mercadoPago,
      createRefund: () => {
        reached();
        return new Promise<never>(() => undefined);
      },
    };
    void createRefund(
      { ...refundDepsOf(rig), mercadoPago: hanging },
      {
        paymentId,
        idempotencyKey: `hang-${paymentId}`,
        amount: 10,
        caller: 'test',
        requestId: 'r',
        deadline: Date.now() + 5 * MINUTE,
        log: silentLogger,
      },
    );
    await calling;
    rig.clock.advance(3 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, resent: 0 });
    expect(refundPosts(rig, paymentId)).toHaveLength(0);

    rig.clock.advance(5 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, resent: 1, settled: 1 });
    expect(rig.h.sandbox.refundsOf(paymentId)).toHaveLength(1);
  });

  it('never re-sends long after the first attempt: left pending, backed off, reported after a day', async () => {
    const paymentId = approvedPayment(rig);
    rig.h.sandbox.drop({ method: 'POST', path: refundPath(paymentId), times: 10 });
    const created = await refund(paymentId, { amount: 10 });
    await rig.h.sandbox.resetFaults();
    const posts = refundPosts(rig, paymentId).length;

    rig.clock.advance(11 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, resent: 0, settled: 0 });
    expect(await entryOf(paymentId, created.body.id)).toMatchObject({ status: 'pending' });
    const schedule = (await rig.h.ledgers.get(paymentId))!.schedule!;
    expect(schedule.checks).toBe(1);
    expect(Date.parse(schedule.nextCheckAt)).toBeGreaterThan(rig.clock.now());

    // Backed off: an immediate second run does not read Mercado Pago again, yet reports the work's age
    // (read from the index: a ledger not due yet counts too).
    const reads = paymentReads(rig, paymentId).length;
    const idle = await reconcile();
    expect(idle).toMatchObject({ checked: 0 });
    expect(idle.oldestPendingRefundAgeSeconds).toBeGreaterThanOrEqual(11 * 60);
    expect(paymentReads(rig, paymentId)).toHaveLength(reads);

    rig.clock.advance(DAY);
    const late = await reconcile();
    expect(late).toMatchObject({ checked: 1, resent: 0, overdue: 1 });
    expect(late.oldestPendingRefundAgeSeconds).toBeGreaterThan(DAY / 1000);
    expect(rig.metricCount('RefundUnsettledTooLong')).toBe(1);
    expect(rig.metricCount('OldestPendingRefundAgeSeconds')).toBeGreaterThanOrEqual(1);
    expect(refundPosts(rig, paymentId)).toHaveLength(posts);
    expect(rig.h.sandbox.refundsOf(paymentId)).toHaveLength(0);
    expect(rig.events()).toEqual([]);
  });

  it('re-sends within its window whatever unrelated refunds the payment has (a dashboard refund of another amount)', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.status(500, { method: 'POST', path: refundPath(paymentId), times: 3 });
    const created = await refund(paymentId, { amount: 2 });
    expect(created.status).toBe(202);
    rig.h.sandbox.dashboardRefund(paymentId, 5.55);

    rig.clock.advance(3 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, resent: 1, settled: 1 });
    expect(await entryOf(paymentId, created.body.id)).toMatchObject({
      status: 'succeeded',
      amountMinor: 200,
    });
    expect(rig.h.sandbox.refundsOf(paymentId).map((r) => r.amount)).toEqual([5.55, 2]);
    // The dashboard refund is recorded (and announced) for what it is; ours is announced once.
    expect(
      rig
        .events()
        .map((e) => `${e['detail-type']}:${(e.detail as { refund: { origin: string } }).refund.origin}`),
    ).toEqual(['Refund Succeeded:external', 'Refund Succeeded:api']);
  });

  it('never re-sends a refund Mercado Pago accepted (in_process); settles it once Mercado Pago does', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.refundStatus('in_process');
    const created = await refund(paymentId, { amount: 30 });
    expect(created.status).toBe(202);
    const posts = refundPosts(rig, paymentId).length;
    rig.clock.advance(3 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, resent: 0, settled: 0 });
    expect(refundPosts(rig, paymentId)).toHaveLength(posts);

    rig.h.sandbox.settleRefund(String(rig.h.sandbox.refundsOf(paymentId)[0]!.id), 'rejected');
    rig.clock.advance(10 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, settled: 1 });
    expect(await entryOf(paymentId, created.body.id)).toMatchObject({ status: 'failed' });
    expect(rig.events().map((e) => e['detail-type'])).toEqual(['Refund Failed']);
  });

  it('keeps going when one payment cannot be read, and bounds a run', async () => {
    const ids = [approvedPayment(rig), approvedPayment(rig), approvedPayment(rig)];
    for (const id of ids) {
      rig.h.sandbox.loseAnswer({ method: 'POST', path: refundPath(id), times: 10 });
      expect((await refund(id, { amount: 5 })).status).toBe(202);
    }
    await rig.h.sandbox.resetFaults();
    rig.h.sandbox.status(500, { method: 'GET', path: `^/v1/payments/${ids[0]}$`, times: 10 });
    rig.clock.advance(3 * MINUTE);
    const bounded = await runReconcile(rig.reconcileDeps(), {
      log: silentLogger,
      deadline: rig.clock.now() + 60_000,
      maxLedgers: 1,
      concurrency: 1,
    });
    expect(bounded.complete).toBe(false);
    expect(bounded.seen).toBe(1);
    const rest = await reconcile();
    expect(rest.failed + rest.settled).toBeGreaterThanOrEqual(2);
    for (const id of ids.slice(1))
      expect((await rig.h.ledgers.get(id))?.refunds[0]?.status).toBe('succeeded');
  });
});

describe('pending cancellations', () => {
  const pendingPayment = () => rig.h.sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 80 });
  const cancel = (paymentId: string) =>
    invoke(cancellation, {
      method: 'POST',
      path: `/payments/${paymentId}/cancellation`,
      headers: { 'idempotency-key': `c-${paymentId}` },
    });
  const puts = (paymentId: string) =>
    rig.h.sandbox.requests({ method: 'PUT', path: new RegExp(`^/v1/payments/${paymentId}$`) });

  it('records a cancellation Mercado Pago made (answer lost) from the re-read, without a new PUT', async () => {
    const paymentId = pendingPayment();
    rig.h.sandbox.loseAnswer({ method: 'PUT', path: `^/v1/payments/${paymentId}$`, times: 10 });
    expect((await cancel(paymentId)).status).toBe(202);
    const sent = puts(paymentId).length;
    rig.clock.advance(3 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, settled: 1, resent: 0 });
    expect(puts(paymentId)).toHaveLength(sent);
    expect((await rig.h.ledgers.get(paymentId))?.cancellation?.status).toBe('cancelled');
    expect(rig.events().map((e) => e['detail-type'])).toEqual(['Payment Cancelled']);
  });

  it('re-sends the PUT with the same key when Mercado Pago never received it', async () => {
    const paymentId = pendingPayment();
    rig.h.sandbox.drop({ method: 'PUT', path: `^/v1/payments/${paymentId}$`, times: 10 });
    expect((await cancel(paymentId)).status).toBe(202);
    await rig.h.sandbox.resetFaults();
    const keys = new Set(puts(paymentId).map((r) => r.idempotencyKey));
    rig.clock.advance(3 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, resent: 1, settled: 1 });
    expect(new Set(puts(paymentId).map((r) => r.idempotencyKey))).toEqual(keys);
    expect(rig.h.sandbox.getPayment(paymentId)?.status).toBe('cancelled');
    expect((await rig.h.ledgers.get(paymentId))?.cancellation?.status).toBe('cancelled');
    expect(rig.events().map((e) => e['detail-type'])).toEqual(['Payment Cancelled']);
  });

  it('records the cancellation failed when the payment got paid meanwhile', async () => {
    const paymentId = pendingPayment();
    rig.h.sandbox.drop({ method: 'PUT', path: `^/v1/payments/${paymentId}$`, times: 10 });
    expect((await cancel(paymentId)).status).toBe(202);
    await rig.h.sandbox.resetFaults();
    rig.h.sandbox.setPaymentStatus(paymentId, 'approved');
    const sent = puts(paymentId).length;
    rig.clock.advance(3 * MINUTE);
    expect(await reconcile()).toMatchObject({ checked: 1, settled: 1, resent: 0 });
    expect(puts(paymentId)).toHaveLength(sent);
    expect((await rig.h.ledgers.get(paymentId))?.cancellation).toMatchObject({
      status: 'failed',
      failure: { code: 'PAYMENT_NOT_CANCELLABLE' },
    });
    expect(rig.events().map((e) => [e['detail-type'], (e.detail as { status: string }).status])).toEqual([
      ['Payment Status Changed', 'approved'],
    ]);
  });
});
