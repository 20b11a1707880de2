/**
 * The QR-order entry point (handler.ts) as Lambda loads it: configuration checked at cold start, then
 * one request each through the real wiring (environment -> runtime -> routes) against sandbox and dynalite.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { coldStartRig } from '../support/cold-start.ts';
import { type Harness, invoke } from '../support/harness.ts';

const rig = coldStartRig(() => import('../../functions/qr-orders/handler.ts'));
const { withEnv, load } = rig;
let h: Harness;
let baseEnv: Record<string, string>;
beforeAll(() => {
  h = rig.harness();
  baseEnv = rig.baseEnv();
});

describe('QR-order handler', () => {
  it.each(['MP_USER_ID', 'PUBLIC_WEBHOOK_URL'])(
    'without %s it starts, and its routes answer 500 naming the variable (the rest of the API keeps serving)',
    async (variable) => {
      withEnv({ ...baseEnv, [variable]: '' });
      const handler = await load();
      h.sandbox.clearRequests();
      const res = await invoke(handler, { method: 'GET', path: '/pos/CAJA_X/order' });
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: 'INTERNAL_ERROR' });
      expect(res.body.detail).toContain(variable);
      expect(h.sandbox.requests()).toHaveLength(0);
    },
  );

  it('puts an order without any store on the store-less path', async () => {
    withEnv({ ...baseEnv, MP_EXTERNAL_STORE_ID: '' });
    const handler = await load();
    h.sandbox.clearRequests();
    const body = {
      externalReference: 'no-store-1',
      title: 'Cafe',
      totalAmount: 5,
      items: [{ title: 'Cafe', unitPrice: 5, quantity: 1, unitMeasure: 'unit', totalAmount: 5 }],
    };
    const res = await invoke(handler, { method: 'PUT', path: '/pos/CAJA_NS/order', body });
    expect(res.status).toBe(201);
    expect(res.body.externalStoreId).toBeUndefined();
    const [sent] = h.sandbox.requests({ method: 'PUT' });
    expect(sent!.path).toBe(`/instore/qr/seller/collectors/${h.sandbox.userId}/pos/CAJA_NS/orders`);
  });

  it('serves PUT and GET with the configured collector, store and webhook', async () => {
    withEnv(baseEnv);
    const handler = await load();
    h.sandbox.clearRequests();
    const body = {
      externalReference: 'wired-1',
      title: 'Cafe',
      totalAmount: 12.5,
      items: [{ title: 'Cafe', unitPrice: 6.25, quantity: 2, unitMeasure: 'unit', totalAmount: 12.5 }],
    };
    const res = await invoke(handler, { method: 'PUT', path: '/pos/CAJA_W/order', body });
    expect(res.status).toBe(201);
    const [sent] = h.sandbox.requests({ method: 'PUT' });
    expect(sent!.path).toBe(
      `/instore/qr/seller/collectors/${h.sandbox.userId}/stores/SUC001/pos/CAJA_W/orders`,
    );
    expect((sent!.body as Record<string, unknown>).notification_url).toBe(baseEnv.PUBLIC_WEBHOOK_URL);
    const read = await invoke(handler, { method: 'GET', path: '/pos/CAJA_W/order' });
    expect(read.body).toMatchObject({
      externalReference: 'wired-1',
      externalStoreId: 'SUC001',
      status: 'open',
    });
  });

  it('with QR_API=orders: serves the till from the Orders API, without MP_USER_ID or a store', async () => {
    withEnv({ ...baseEnv, QR_API: 'orders', MP_USER_ID: '', MP_EXTERNAL_STORE_ID: '' });
    const handler = await load();
    h.sandbox.clearRequests();
    const body = {
      externalReference: 'orders-wired-1',
      title: 'Cafe',
      totalAmount: 5,
      items: [{ title: 'Cafe', unitPrice: 5, quantity: 1, unitMeasure: 'unit', totalAmount: 5 }],
      mode: 'dynamic',
    };
    const res = await invoke(handler, { method: 'PUT', path: '/pos/CAJA_O/order', body });
    expect(res).toMatchObject({
      status: 201,
      body: { status: 'open', mode: 'dynamic', qrData: expect.any(String) },
    });
    expect(h.sandbox.requests({ method: 'POST', path: /^\/v1\/orders$/ })).toHaveLength(1);
    const read = await invoke(handler, { method: 'GET', path: '/pos/CAJA_O/order' });
    expect(read.body).toMatchObject({ orderId: res.body.orderId, status: 'open' });
    expect((await invoke(handler, { method: 'DELETE', path: '/pos/CAJA_O/order' })).status).toBe(204);
  });

  it('refuses a QR_API that is neither instore nor orders at cold start', async () => {
    withEnv({ ...baseEnv, QR_API: 'legacy' });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable: 'QR_API' });
  });
});
