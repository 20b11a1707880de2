/**
 * The settlement defects found by a reliability review (issue 9), each as it was seen: black-box against
 * three server processes sharing one DynamoDB, Mercado Pago answering oddly where the defect needs it.
 * Each of these failed on the code before the settlement model (commit 5b5f16a).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/wait.ts';
import { type Cluster, mercadoPagoKeyOf, startCluster } from './cluster.ts';
import { reconcileAt } from './reconcile.ts';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ servers: 3, env: { LOCAL_FUNCTION_TIMEOUT_SECONDS: '8' } });
}, 120_000);
afterAll(async () => c?.close());
beforeEach(async () => {
  await c.sandbox.resetFaults();
  c.sandbox.setBalance(null);
});

const DAY = 86_400_000;
const approved = (amount = 100) =>
  c.sandbox.createPayment({ status: 'approved', currency: 'BRL', amount, dateApproved: Date.now() - DAY });
let keys = 0;
/** The Idempotency-Key each refund (by our id) was asked with. */
const keyOfRefund = new Map<string, { paymentId: string; key: string }>();
const refund = async (
  server: number,
  paymentId: string,
  body: unknown,
  key = `key-${++keys}-${paymentId}`,
) => {
  const answer = await c.request(server, 'POST', `/payments/${paymentId}/refunds`, {
    body,
    headers: { 'idempotency-key': key },
  });
  if (answer.body?.id) keyOfRefund.set(answer.body.id, { paymentId, key });
  return answer;
};
const list = (server: number, paymentId: string) =>
  c.request(server, 'GET', `/payments/${paymentId}/refunds`);
const eventsOf = (paymentId: string) =>
  c.events().filter((e) => (e.detail as { paymentId?: string }).paymentId === paymentId);
const succeededEventsOf = (paymentId: string, refundId: string) =>
  eventsOf(paymentId).filter(
    (e) =>
      e['detail-type'] === 'Refund Succeeded' &&
      (e.detail as { refund: { id: string } }).refund.id === refundId,
  );
const refundsPath = (paymentId: string) => `^/v1/payments/${paymentId}/refunds$`;
/** The Mercado Pago refund our refund's own key made (as Mercado Pago really answered it). */
const madeBy = (refundId: string) => {
  const asked = keyOfRefund.get(refundId)!;
  return c.mercadoPago.refundMadeBy(mercadoPagoKeyOf(asked.paymentId, asked.key, refundId));
};

describe('settlement defects (issue 9)', () => {
  it('1. success without evidence: a refund in flight is never answered with another refund\u2019s Mercado Pago id', async () => {
    const paymentId = approved(100);
    // B is held 3 s at Mercado Pago; A is made there but every answer is lost.
    c.sandbox.latency(3_000, { method: 'POST', path: refundsPath(paymentId) });
    const b = refund(0, paymentId, { amount: 10 }, `b-${paymentId}`);
    // B's call has reached Mercado Pago (and waits there) before A's answers are lost: B is not hit.
    await eventually(
      () => c.sandbox.requests({ method: 'POST', path: refundsPath(paymentId) }).length === 1,
      "B's refund call at Mercado Pago",
    );
    c.sandbox.loseAnswer({ method: 'POST', path: refundsPath(paymentId), times: 3 });
    const a = await refund(1, paymentId, { amount: 10 }, `a-${paymentId}`);
    expect(a.status).toBe(202);
    await c.sandbox.sendNotification({ kind: 'signed', paymentId, url: `${c.urls[2]}/webhooks/mercadopago` });
    const replayWhileRunning = await refund(2, paymentId, { amount: 10 }, `b-${paymentId}`);
    expect(replayWhileRunning.status).toBe(409);
    const bDone = await b;
    expect(bDone.status).toBe(201);
    expect(bDone.body.mercadoPagoRefundId).toBe(madeBy(bDone.body.id));
    expect(bDone.body.mercadoPagoRefundId).not.toBe(madeBy(a.body.id));
    const replay = await refund(2, paymentId, { amount: 10 }, `b-${paymentId}`);
    expect(replay.body.mercadoPagoRefundId).toBe(madeBy(bDone.body.id));
    // A's refund is held (counted once), never published as B's; A settles on its own key's re-send.
    expect(succeededEventsOf(paymentId, bDone.body.id)).toHaveLength(1);
    expect(succeededEventsOf(paymentId, a.body.id)).toHaveLength(0);
    expect((await list(0, paymentId)).body).toMatchObject({ refundedAmount: 10, pendingAmount: 10 });
    await reconcileAt(c, 130_000);
    const aNow = await c.request(0, 'GET', `/payments/${paymentId}/refunds/${a.body.id}`);
    expect(aNow.body).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: madeBy(a.body.id) });
    expect(c.sandbox.refundsOf(paymentId)).toHaveLength(2);
  });

  it('2. pending forever: an unrelated refund made elsewhere never stops the re-send of an unknown one', async () => {
    const paymentId = approved(100);
    c.sandbox.status(500, { method: 'POST', path: refundsPath(paymentId), times: 3 });
    const created = await refund(0, paymentId, { amount: 2 });
    expect(created.status).toBe(202);
    c.sandbox.dashboardRefund(paymentId, 5.55);
    const report = await reconcileAt(c, 130_000);
    expect(report.resent).toBeGreaterThanOrEqual(1);
    const now = await c.request(1, 'GET', `/payments/${paymentId}/refunds/${created.body.id}`);
    expect(now.body).toMatchObject({ status: 'succeeded', amount: 2 });
  });

  it('3. a succeeded refund is never demoted when Mercado Pago shows its id for another refund of ours', async () => {
    const paymentId = approved(100);
    const first = await refund(0, paymentId, { amount: 10 });
    expect(first.status).toBe(201);
    // Mercado Pago (restarted, reusing ids) answers the next refund with the first one's id.
    c.mercadoPago.rule({
      method: 'POST',
      path: new RegExp(refundsPath(paymentId)),
      rewrite: ({ status, body }) => ({
        status,
        body: { ...body, id: Number(first.body.mercadoPagoRefundId) },
      }),
    });
    const second = await refund(1, paymentId, { amount: 20 });
    expect(second.status).toBe(202);
    const firstNow = await c.request(2, 'GET', `/payments/${paymentId}/refunds/${first.body.id}`);
    expect(firstNow.body).toMatchObject({
      status: 'succeeded',
      mercadoPagoRefundId: first.body.mercadoPagoRefundId,
    });
    expect(succeededEventsOf(paymentId, second.body.id)).toHaveLength(0);
    const ledger = await c.ledgers.get(paymentId);
    expect(ledger!.attention).toEqual([expect.objectContaining({ kind: 'settlement_contradiction' })]);
  });

  it('4. a create answer about another payment is no evidence: pending, then settled by a re-send', async () => {
    const paymentId = approved(100);
    const other = approved(100);
    c.mercadoPago.rule({
      method: 'POST',
      path: new RegExp(refundsPath(paymentId)),
      fake: () => ({
        status: 201,
        body: {
          id: 987654321,
          payment_id: Number(other),
          amount: 10,
          status: 'approved',
          date_created: new Date().toISOString(),
        },
      }),
    });
    const created = await refund(0, paymentId, { amount: 10 });
    expect(created.status).toBe(202);
    expect(c.sandbox.refundsOf(paymentId)).toHaveLength(0);
    expect(eventsOf(paymentId)).toEqual([]);
    expect((await list(1, paymentId)).body).toMatchObject({ refundedAmount: 0, pendingAmount: 10 });
    await reconcileAt(c, 130_000);
    const now = await c.request(2, 'GET', `/payments/${paymentId}/refunds/${created.body.id}`);
    expect(now.body).toMatchObject({
      status: 'succeeded',
      mercadoPagoRefundId: String(c.sandbox.refundsOf(paymentId)[0]!.id),
    });
    expect(await c.ledgers.get(other)).toBeUndefined();
  });

  it('5. a payment read answering another payment writes nothing anywhere: 502, no call', async () => {
    const paymentId = approved(100);
    const other = approved(100);
    c.sandbox.dashboardRefund(other, 5);
    const otherBody = c.sandbox.getPayment(other);
    c.mercadoPago.rule({
      method: 'GET',
      path: new RegExp(`^/v1/payments/${paymentId}$`),
      fake: () => ({ status: 200, body: otherBody }),
    });
    const res = await refund(0, paymentId, { amount: 10 });
    expect(res.status).toBe(502);
    expect(c.sandbox.refundsOf(paymentId)).toHaveLength(0);
    expect(await c.ledgers.get(paymentId)).toBeUndefined();
    expect(await c.ledgers.get(other)).toBeUndefined();
  });

  it('6. a create answer with another amount is corrected by the next read: the rest stays refundable', async () => {
    const paymentId = approved(100);
    c.mercadoPago.rule({
      method: 'POST',
      path: new RegExp(refundsPath(paymentId)),
      rewrite: ({ status, body }) => ({ status, body: { ...body, amount: 90 } }),
    });
    const created = await refund(0, paymentId, { amount: 10 });
    expect(created.status).toBe(201);
    expect((await list(1, paymentId)).body).toMatchObject({ refundedAmount: 10, refundableAmount: 90 });
    expect((await refund(2, paymentId, { amount: 80 })).status).toBe(201);
  });

  it('7. a key freed by a 502 and reused with another body makes a new refund with a new Mercado Pago key', async () => {
    const paymentId = approved(100);
    c.sandbox.status(400, {
      method: 'POST',
      path: refundsPath(paymentId),
      body: { message: 'odd', error: 'bad_request', status: 400, cause: [] },
    });
    const first = await refund(0, paymentId, { amount: 20 }, `reused-${paymentId}`);
    expect(first.status).toBe(502);
    const again = await refund(1, paymentId, { amount: 50 }, `reused-${paymentId}`);
    expect(again.status).toBe(201);
    expect((await list(2, paymentId)).body).toMatchObject({ refundedAmount: 50, refundableAmount: 50 });
    const keysSent = c.mercadoPago.exchanges
      .filter((e) => e.method === 'POST' && e.path === `/v1/payments/${paymentId}/refunds`)
      .map((e) => e.key);
    expect(new Set(keysSent).size).toBe(2);
  });

  it('8. a status never moves backwards: an older read (no date) of refunded -> approved changes nothing, publishes nothing', async () => {
    const paymentId = approved(100);
    expect((await refund(0, paymentId, {})).status).toBe(201);
    expect((await list(0, paymentId)).body.status).toBe('refunded');
    c.mercadoPago.rule({
      method: 'GET',
      path: new RegExp(`^/v1/payments/${paymentId}$`),
      rewrite: ({ status, body }) => {
        const { date_last_updated: _dropped, ...older } = body;
        return { status, body: { ...older, status: 'approved', status_detail: 'accredited' } };
      },
    });
    expect((await list(1, paymentId)).body.status).toBe('refunded');
    expect(
      eventsOf(paymentId).filter(
        (e) => (e.detail as { previousStatus?: string }).previousStatus === 'refunded',
      ),
    ).toEqual([]);
  });

  it('9. a burst of refunds and signed notifications across servers: every notification answered 200', async () => {
    const paymentId = approved(200);
    const notify = (i: number) =>
      c.sandbox.sendNotification({ kind: 'signed', paymentId, url: `${c.urls[i % 3]}/webhooks/mercadopago` });
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => refund(i % 3, paymentId, { amount: 10 })),
      ...Array.from({ length: 20 }, (_, i) => notify(i)),
    ]);
    const refunds = results.slice(0, 20) as Awaited<ReturnType<typeof refund>>[];
    const deliveries = (results.slice(20) as Awaited<ReturnType<typeof notify>>[]).flat();
    expect(deliveries.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
    expect(refunds.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    expect(c.sandbox.refundsOf(paymentId)).toHaveLength(20);
  });

  it('10. nothing done is no refund: a 503 publishes no Refund Failed; the retry makes the refund once', async () => {
    const paymentId = approved(100);
    c.sandbox.status(429, { method: 'POST', path: refundsPath(paymentId), times: 3 });
    const first = await refund(0, paymentId, { amount: 10 }, `limited-${paymentId}`);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBeTruthy();
    const retry = await refund(1, paymentId, { amount: 10 }, `limited-${paymentId}`);
    expect(retry.status).toBe(201);
    expect(eventsOf(paymentId).map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
    expect((await list(2, paymentId)).body.refunds).toHaveLength(1);
  });
});
