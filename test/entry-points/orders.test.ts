/**
 * The order entry point (functions/orders/handler.ts) as Lambda loads it: configuration checked at cold
 * start, then requests made from API Gateway's captured events through the real wiring (environment ->
 * runtime -> routes) against the sandbox's Orders API and dynalite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openOrder, paidOrder } from '../orders/support.ts';
import { callHttp, httpApiEvent, templateCaller } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import type { Harness } from '../support/harness.ts';

const rig = coldStartRig(() => import('../../functions/orders/handler.ts'));
const { withEnv, load } = rig;
let h: Harness;
let baseEnv: Record<string, string>;
beforeAll(() => {
  h = rig.harness();
  baseEnv = rig.baseEnv();
});

describe('order handler', () => {
  it.each([
    ['REFUND_WINDOW_DAYS', 'MLB=forever'],
    ['MP_SITE_ID', 'MLX'],
    ['MP_ACCESS_TOKEN', ''],
    ['TABLE_NAME', ''],
  ])('cold start fails when %s is %j, naming the variable', async (variable, value) => {
    withEnv({ ...baseEnv, [variable]: value });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable });
  });

  it('refunds an order (202 processing), lists it, reads it, and records the IAM caller', async () => {
    withEnv(baseEnv);
    const handler = await load();
    const orderId = await paidOrder(h, '60.00');
    const created = await callHttp(
      handler,
      httpApiEvent('iam', {
        method: 'POST',
        path: `/orders/${orderId}/refunds`,
        body: { amount: 10 },
        headers: { 'Idempotency-Key': 'entry-order-refund-1', 'x-request-id': 'caller-req-7' },
      }),
    );
    expect(created).toMatchObject({
      status: 202,
      headers: { 'x-request-id': 'caller-req-7' },
      body: {
        orderId,
        amount: 10,
        currency: 'BRL',
        status: 'pending',
        idempotencyKey: 'entry-order-refund-1',
      },
    });
    const list = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'GET', path: `/orders/${orderId}/refunds` }),
    );
    expect(list).toMatchObject({ status: 200, body: { orderId, amount: 60, pendingAmount: 10 } });
    const one = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'GET', path: `/orders/${orderId}/refunds/${created.body.id}` }),
    );
    expect(one.body.id).toBe(created.body.id);
    const ledger = await h.ledgers.get(orderId);
    expect(ledger?.history.map((entry) => entry.by)).toContain(templateCaller('iam'));
  });

  it('cancels an open order behind a JWT authorizer', async () => {
    withEnv(baseEnv);
    const handler = await load();
    const orderId = await openOrder(h);
    const res = await callHttp(
      handler,
      httpApiEvent('jwt', { method: 'POST', path: `/orders/${orderId}/cancellation` }),
    );
    expect(res).toMatchObject({ status: 200, body: { orderId, status: 'cancelled' } });
    expect((await h.ledgers.get(orderId))?.history.map((e) => e.by)).toContain(templateCaller('jwt'));
  });
});
