/**
 * Concurrency the way Lambda runs it: three server processes on one DynamoDB racing refunds, replays, GETs
 * and signed notifications on one payment while Mercado Pago is slow and loses answers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Answer, type Cluster, mercadoPagoKeyOf, startCluster } from './cluster.ts';
import { reconcileAt } from './reconcile.ts';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ servers: 3 });
}, 120_000);
afterAll(async () => c?.close());
beforeEach(async () => {
  await c.sandbox.resetFaults();
});

const DAY = 86_400_000;
const approved = (amount: number) =>
  c.sandbox.createPayment({ status: 'approved', currency: 'BRL', amount, dateApproved: Date.now() - DAY });
const refundsPath = (paymentId: string) => `^/v1/payments/${paymentId}/refunds$`;
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const madeBy = (paymentId: string, key: string, refundId: string) =>
  c.mercadoPago.refundMadeBy(mercadoPagoKeyOf(paymentId, key, refundId));

describe('a storm on one payment across three servers', () => {
  it('refunds, replays, GETs and notifications with slow and lost answers: no 5xx, no success without evidence, ledger = Mercado Pago', async () => {
    const paymentId = approved(300);
    // Mercado Pago answers in 0-300 ms, and loses a few answers of refunds it made.
    for (let i = 0; i < 80; i++)
      c.sandbox.latency(Math.floor(Math.random() * 300), { method: 'POST', path: refundsPath(paymentId) });
    for (let i = 0; i < 80; i++)
      c.sandbox.latency(Math.floor(Math.random() * 300), {
        method: 'GET',
        path: `^/v1/payments/${paymentId}$`,
      });
    c.sandbox.loseAnswer({ method: 'POST', path: refundsPath(paymentId), times: 3 });

    const keys = Array.from({ length: 24 }, (_, i) => `storm-${paymentId}-${i}`);
    const answers: { key: string; answer: Answer }[] = [];
    const refund = async (key: string) => {
      const answer = await c.request(pick([0, 1, 2]), 'POST', `/payments/${paymentId}/refunds`, {
        body: { amount: 10 },
        headers: { 'idempotency-key': key },
      });
      answers.push({ key, answer });
    };
    const others: Promise<unknown>[] = [];
    const work = keys.map(async (key, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 15));
      await refund(key);
      if (i % 3 === 0) others.push(refund(key));
    });
    for (let i = 0; i < 20; i++) {
      others.push(
        c.sandbox.sendNotification({
          kind: 'signed',
          paymentId,
          url: `${pick(c.urls)}/webhooks/mercadopago`,
        }),
      );
      others.push(
        c
          .request(pick([0, 1, 2]), 'GET', `/payments/${paymentId}/refunds`)
          .then((answer) => answers.push({ key: 'GET', answer })),
      );
    }
    await Promise.all(work);
    const settled = await Promise.all(others);
    const deliveries = settled
      .flat()
      .filter(
        (d): d is { status: number } =>
          typeof d === 'object' && d !== null && 'status' in d && !('headers' in d),
      );

    // Never a 5xx, to callers or to Mercado Pago's notifications.
    expect(answers.map((a) => a.answer.status).filter((s) => s >= 500)).toEqual([]);
    expect(deliveries.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
    // A 201 names the refund its own key made, never another's.
    for (const { key, answer } of answers.filter((a) => a.answer.status === 201)) {
      expect(answer.body.mercadoPagoRefundId).toBe(madeBy(paymentId, key, answer.body.id));
    }
    // Lost answers settle on their own key's re-send; nothing is left pending.
    await reconcileAt(c, 130_000);
    const view = (await c.request(0, 'GET', `/payments/${paymentId}/refunds`)).body;
    const atMercadoPago = c.sandbox.refundsOf(paymentId);
    // The limit is Mercado Pago's: 20, and every one of them is in the ledger, each once.
    expect(atMercadoPago).toHaveLength(20);
    expect(view).toMatchObject({ refundedAmount: 200, pendingAmount: 0, refundableAmount: 100 });
    expect(view.refunds).toHaveLength(20);
    expect(new Set(view.refunds.map((r: { mercadoPagoRefundId: string }) => r.mercadoPagoRefundId))).toEqual(
      new Set(atMercadoPago.map((r) => String(r.id))),
    );
    for (const r of view.refunds)
      expect(r.mercadoPagoRefundId).toBe(madeBy(paymentId, r.idempotencyKey, r.id));
    const refused = answers
      .filter((a) => a.key !== 'GET' && a.answer.status === 409)
      .map((a) => a.answer.body.code);
    expect(new Set(refused)).toEqual(
      new Set(
        refused.length
          ? ['REFUND_LIMIT_REACHED', 'REFUND_IN_PROGRESS'].filter((code) => refused.includes(code))
          : [],
      ),
    );
    // One Refund Succeeded per refund (deliveries deduplicated on eventId), each naming its own refund's id.
    const succeeded = new Map<string, { refund: { id: string; mercadoPagoRefundId: string } }>();
    for (const event of c.events().filter((e) => e['detail-type'] === 'Refund Succeeded')) {
      const detail = event.detail as {
        eventId: string;
        paymentId?: string;
        refund: { id: string; mercadoPagoRefundId: string };
      };
      if (detail.paymentId === paymentId) succeeded.set(detail.eventId, detail);
    }
    expect(succeeded.size).toBe(20);
    expect(new Set([...succeeded.values()].map((d) => d.refund.id)).size).toBe(20);
    for (const detail of succeeded.values()) {
      const mine = view.refunds.find((r: { id: string }) => r.id === detail.refund.id);
      expect(detail.refund.mercadoPagoRefundId).toBe(mine.mercadoPagoRefundId);
    }
  }, 120_000);
});
