/**
 * Order refunds the way Lambda runs them: three server processes (`node local/start.ts`) on one DynamoDB
 * racing refunds of one Orders API order, their replays, GETs and signed `order` webhooks, while Mercado Pago
 * answers slowly, loses two answers of refunds it made, and refuses a refund while another is `processing`
 * (`refund_in_progress`, its key left free): those stay pending and reconciliation sends them again with their
 * own keys. Nothing is doubled: Mercado Pago holds exactly one refund per key, the ledger the same ones, and
 * one Refund Succeeded is published per refund.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMercadoPagoClient } from '../../functions/adapters/mercadopago/client.ts';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import { type Answer, CLUSTER_TOKEN, type Cluster, startCluster } from './cluster.ts';
import { reconcileAt } from './reconcile.ts';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ servers: 3 });
}, 120_000);
afterAll(async () => c?.close());

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** The refund id Mercado Pago's answer to a key named (as it really answered, through the proxy). */
const orderRefundMadeBy = (key: string): string | undefined => {
  for (const exchange of c.mercadoPago.exchanges) {
    if (exchange.key !== key || exchange.method !== 'POST' || !/\/refund$/.test(exchange.path)) continue;
    const refunds = (exchange.body as { transactions?: { refunds?: { id: string }[] } } | null)?.transactions
      ?.refunds;
    if (exchange.status < 300 && refunds?.[0]) return refunds[0].id;
  }
  return undefined;
};

describe('a storm on one order across three servers', () => {
  it('refunds, replays, GETs and order webhooks: no 5xx, each refund linked to its own key, ledger = Mercado Pago', async () => {
    // A refund stays `processing` 100 ms: refunds sent meanwhile are refused with refund_in_progress.
    c.sandbox.configure({ orderRefundDelayMs: 100 });
    const client = createMercadoPagoClient({
      baseUrl: c.sandbox.url,
      accessToken: async () => CLUSTER_TOKEN,
    });
    const order = await client.createOrder(
      {
        externalReference: `storm-${Date.now()}`,
        description: 'storm',
        totalAmount: '100.00',
        expirationTime: 'PT30M',
        externalPosId: 'CAJA_STORM',
        mode: 'static',
        items: [{ title: 'storm', unitPrice: '100.00', quantity: 1, unitMeasure: 'unit' }],
      },
      { idempotencyKey: `storm-create-${Date.now()}` },
    );
    const orderId = order.id;
    c.sandbox.payOrder(orderId);
    c.sandbox.loseAnswer({ method: 'POST', path: `^/v1/orders/${orderId}/refund$`, times: 2 });
    const refundPath = `^/v1/orders/${orderId}/refund$`;
    for (let i = 0; i < 40; i++)
      c.sandbox.latency(Math.floor(Math.random() * 200), { method: 'POST', path: refundPath });

    const keys = Array.from({ length: 10 }, (_, i) => `order-storm-${orderId}-${i}`);
    const answers: { key: string; answer: Answer }[] = [];
    const refund = async (key: string) => {
      const answer = await c.request(pick([0, 1, 2]), 'POST', `/orders/${orderId}/refunds`, {
        body: { amount: 5 },
        headers: { 'idempotency-key': key },
      });
      answers.push({ key, answer });
    };
    const others: Promise<unknown>[] = [];
    const work = keys.map(async (key, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 20));
      await refund(key);
      if (i % 3 === 0) others.push(refund(key));
    });
    const deliveries: { status: number | null }[] = [];
    for (let i = 0; i < 15; i++) {
      others.push(
        c.sandbox
          .sendNotification({
            kind: 'order',
            orderId,
            action: 'order.processed',
            url: `${pick(c.urls)}/webhooks/mercadopago`,
          })
          .then((sent) => deliveries.push(...sent)),
      );
      others.push(
        c
          .request(pick([0, 1, 2]), 'GET', `/orders/${orderId}/refunds`)
          .then((answer) => answers.push({ key: 'GET', answer })),
      );
    }
    await Promise.all(work);
    await Promise.all(others);

    // Never a 5xx, to callers or to Mercado Pago's notifications.
    expect(answers.map((a) => a.answer.status).filter((s) => s >= 500)).toEqual([]);
    expect(deliveries.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
    // A refund answered with a Mercado Pago id names the refund its own key made, never another's.
    for (const { key, answer } of answers.filter(
      (a) => a.key !== 'GET' && a.answer.body?.mercadoPagoRefundId,
    )) {
      expect(key).toBe(answer.body.idempotencyKey);
      expect(answer.body.mercadoPagoRefundId).toBe(
        orderRefundMadeBy(mercadoPagoRefundKey({ id: answer.body.id })),
      );
    }

    // Some were refused while another was processing (so this storm tested that path).
    const refused = c.mercadoPago.exchanges.filter(
      (e) => e.status === 409 && JSON.stringify(e.body).includes('refund_in_progress'),
    );
    expect(refused.length).toBeGreaterThan(0);

    // Refused ones are re-sent with their own keys by reconciliation; processed ones read as such.
    for (let pass = 1; pass <= 12; pass++) {
      await reconcileAt(c, pass * 130_000);
      const view = (await c.request(0, 'GET', `/orders/${orderId}/refunds`)).body;
      if (view.pendingAmount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    const view = (await c.request(0, 'GET', `/orders/${orderId}/refunds`)).body;
    const atMercadoPago = (
      c.sandbox.getOrder(orderId)?.transactions as
        | { refunds: { id: string; amount: string; status: string }[] }
        | undefined
    )?.refunds;
    expect(atMercadoPago).toHaveLength(10);
    expect(atMercadoPago?.every((r) => r.status === 'processed')).toBe(true);
    expect(view).toMatchObject({ orderId, refundedAmount: 50, pendingAmount: 0, refundableAmount: 50 });
    expect(view.refunds).toHaveLength(10);
    expect(new Set(view.refunds.map((r: { mercadoPagoRefundId: string }) => r.mercadoPagoRefundId))).toEqual(
      new Set(atMercadoPago?.map((r) => r.id)),
    );
    for (const r of view.refunds as { id: string; idempotencyKey: string; mercadoPagoRefundId: string }[]) {
      expect(r.mercadoPagoRefundId).toBe(orderRefundMadeBy(mercadoPagoRefundKey({ id: r.id })));
    }
    // One Refund Succeeded per refund (deliveries deduplicated on eventId), each naming its own refund.
    const succeeded = new Map<string, { refund: { id: string; mercadoPagoRefundId: string } }>();
    for (const event of c.events().filter((e) => e['detail-type'] === 'Refund Succeeded')) {
      const detail = event.detail as {
        eventId: string;
        orderId?: string;
        refund: { id: string; mercadoPagoRefundId: string };
      };
      if (detail.orderId === orderId) succeeded.set(detail.eventId, detail);
    }
    expect(succeeded.size).toBe(10);
    for (const detail of succeeded.values()) {
      const mine = view.refunds.find((r: { id: string }) => r.id === detail.refund.id);
      expect(detail.refund.mercadoPagoRefundId).toBe(mine.mercadoPagoRefundId);
    }
  }, 120_000);
});
