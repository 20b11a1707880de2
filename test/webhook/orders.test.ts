/**
 * `order` webhooks (Orders API) end to end: the sandbox signs and delivers them over HTTP to the local
 * server running the webhook Lambda (inline processing), against dynalite. Signed with the id as sent or in
 * lower case, every action re-reads the order and settles its ledger; unsigned ones are refused; duplicates
 * and stale deliveries (`data.version`) change nothing and read nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseNotificationWork } from '../../functions/operations/notification-work.ts';
import { signatureHeader } from '../../local/sandbox/index.ts';
import { openOrder, orderApi, paidOrder, refundsAtMercadoPago } from '../orders/support.ts';
import { invoke } from '../support/harness.ts';
import { type Rig, startRig, WEBHOOK_PATH } from './rig.ts';

let rig: Rig;
let api: ReturnType<typeof orderApi>;

beforeAll(async () => {
  rig = await startRig({ sandbox: { orderRefundDelayMs: null } });
  api = orderApi(rig.h);
});
afterAll(async () => rig?.close());
beforeEach(async () => {
  await rig.reset();
  rig.h.sandbox.configure({ orderWebhookSigning: 'raw', orderRefundDelayMs: null });
});

const orderReads = (orderId: string) =>
  rig.h.sandbox.requests({ method: 'GET', path: new RegExp(`^/v1/orders/${orderId}$`) });

/** A paid order with a refund of ours still processing: its ledger exists and has pending work. */
const withPendingRefund = async () => {
  const orderId = await paidOrder(rig.h, '80.00');
  const refund = await api.refund(orderId, { amount: 20 });
  expect(refund.status).toBe(202);
  rig.h.sandbox.clearRequests();
  rig.h.clearEvents();
  return { orderId, refundId: refund.body.id as string };
};

const settleAtMercadoPago = (orderId: string) => {
  for (const refund of refundsAtMercadoPago(rig.h, orderId))
    if (refund.status === 'processing') rig.h.sandbox.settleOrderRefund(refund.id, 'processed');
};

describe('signed order webhooks', () => {
  it.each(['raw', 'lowercase'] as const)(
    'signed over the id %s: re-reads the order once and settles its refund (one Refund Succeeded)',
    async (signing) => {
      const { orderId, refundId } = await withPendingRefund();
      settleAtMercadoPago(orderId);
      const [delivery] = await rig.h.sandbox.sendNotification({ kind: 'order', orderId, signing });
      expect(delivery).toMatchObject({ status: 200 });
      expect(orderReads(orderId)).toHaveLength(1);
      const ledger = await rig.h.ledgers.get(orderId);
      expect(ledger?.refunds.find((r) => r.id === refundId)).toMatchObject({ status: 'succeeded' });
      expect(rig.events().map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
      expect(rig.events()[0]?.detail).toMatchObject({ orderId, refund: { id: refundId, orderId } });
    },
  );

  it('automatic deliveries of the sandbox (order.refunded after a processed refund) settle it too', async () => {
    const { orderId, refundId } = await withPendingRefund();
    rig.h.sandbox.notificationsEnabled = true;
    settleAtMercadoPago(orderId);
    await rig.h.sandbox.notificationsIdle();
    expect(rig.h.sandbox.notifications().at(-1)).toMatchObject({ status: 200 });
    const ledger = await rig.h.ledgers.get(orderId);
    expect(ledger?.refunds.find((r) => r.id === refundId)?.status).toBe('succeeded');
  });

  it.each([
    'order.processed',
    'order.canceled',
    'order.expired',
    'order.refunded',
    'order.charged_back',
    'order.action_required',
    'order.failed',
  ] as const)('%s: re-reads the order of a ledger', async (action) => {
    const { orderId } = await withPendingRefund();
    const [delivery] = await rig.h.sandbox.sendNotification({ kind: 'order', orderId, action });
    expect(delivery?.status).toBe(200);
    expect(orderReads(orderId)).toHaveLength(1);
  });

  it('a charged back order is recorded from its own re-read', async () => {
    const { orderId } = await withPendingRefund();
    rig.h.sandbox.chargeBackOrder(orderId);
    await rig.h.sandbox.sendNotification({ kind: 'order', orderId });
    expect(await rig.h.ledgers.get(orderId)).toMatchObject({
      status: 'charged_back',
      statusDetail: 'settled',
    });
    expect(rig.events().map((e) => [e['detail-type'], (e.detail as { status?: string }).status])).toEqual([
      ['Payment Status Changed', 'charged_back'],
    ]);
  });

  it('duplicates (same x-request-id) and deliveries no newer than the recorded version read nothing', async () => {
    const { orderId } = await withPendingRefund();
    settleAtMercadoPago(orderId);
    const deliveries = await rig.h.sandbox.sendNotification({ kind: 'order', orderId, duplicate: 2 });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(orderReads(orderId)).toHaveLength(1);
    const recorded = (await rig.h.ledgers.get(orderId))?.order?.version;
    expect(recorded).toEqual(expect.any(Number));
    // Another delivery of the same change (another x-request-id): the order, action and version dedupe it.
    await rig.h.sandbox.sendNotification({ kind: 'order', orderId });
    expect(orderReads(orderId)).toHaveLength(1);
    // Each delivery was one conditional write of one key (the change's), not one per way to name it.
    const dedupeItems = async () =>
      (await rig.items()).filter((i: { pk?: { S?: string } }) => i.pk?.S?.startsWith('NOTIFICATION#'));
    expect(await dedupeItems()).toHaveLength(1);
    // An older version delivered late (another action): stale, nothing read.
    const items = JSON.stringify(await rig.items());
    const stale = await postOrderWebhook(orderId, {
      action: 'order.processed',
      version: (recorded ?? 0) - 1,
    });
    expect(stale.status).toBe(200);
    expect(orderReads(orderId)).toHaveLength(1);
    const withoutDedupe = (text: string) =>
      JSON.parse(text).filter((i: { pk: { S: string } }) => !i.pk.S.startsWith('NOTIFICATION#'));
    expect(withoutDedupe(JSON.stringify(await rig.items()))).toEqual(withoutDedupe(items));
  });

  it('an order this service keeps nothing for (no ledger, no refund) is read and nothing is written', async () => {
    const orderId = await openOrder(rig.h);
    rig.h.sandbox.payOrder(orderId);
    await rig.h.sandbox.sendNotification({ kind: 'order', orderId });
    expect(orderReads(orderId)).toHaveLength(1);
    expect((await rig.items()).filter((i) => i.pk?.S?.startsWith('ORDER#'))).toEqual([]);
  });
});

const postOrderWebhook = (
  orderId: string,
  options: { action?: string; version?: number; signedId?: string; bodyId?: string; userId?: string } = {},
) => {
  const requestId = crypto.randomUUID();
  const ts = String(Date.now());
  return invoke(rig.webhook, {
    method: 'POST',
    path: `${WEBHOOK_PATH}?data.id=${orderId}&type=order`,
    body: {
      action: options.action ?? 'order.processed',
      api_version: 'v1',
      type: 'order',
      user_id: options.userId ?? rig.h.sandbox.userId,
      data: { id: options.bodyId ?? orderId, version: options.version ?? 1 },
    },
    headers: {
      'x-request-id': requestId,
      'x-signature': signatureHeader(rig.h.sandbox.webhookSecret, options.signedId ?? orderId, requestId, ts),
    },
  });
};

describe('what is refused or ignored', () => {
  it('unsigned or forged: 401, nothing read or written', async () => {
    const { orderId } = await withPendingRefund();
    const before = JSON.stringify(await rig.items());
    const [unsigned] = await rig.h.sandbox.sendNotification({ kind: 'order', orderId, signing: 'none' });
    expect(unsigned?.status).toBe(401);
    expect((await postOrderWebhook(orderId, { signedId: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3' })).status).toBe(401);
    expect(orderReads(orderId)).toEqual([]);
    expect(JSON.stringify(await rig.items())).toBe(before);
  });

  it('a body data.id in the other case is the same id; another id is 401', async () => {
    const { orderId } = await withPendingRefund();
    expect((await postOrderWebhook(orderId, { bodyId: orderId.toLowerCase(), version: 50 })).status).toBe(
      200,
    );
    expect(orderReads(orderId)).toHaveLength(1);
    expect((await postOrderWebhook(orderId, { bodyId: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3' })).status).toBe(401);
  });

  it("another seller's order, or an id that is not an order, is acknowledged and ignored", async () => {
    const { orderId } = await withPendingRefund();
    expect((await postOrderWebhook(orderId, { userId: '999' })).body).toEqual({ status: 'ignored' });
    expect((await postOrderWebhook('ORD123')).body).toEqual({ status: 'ignored' });
    expect(orderReads(orderId)).toEqual([]);
  });

  it('the queued work of an order: the id upper case and the version', () => {
    expect(
      parseNotificationWork(
        JSON.stringify({
          resource: 'order',
          id: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3',
          via: 'webhook',
          receivedAt: 'x',
          version: 3,
        }),
      ),
    ).toMatchObject({ resource: 'order', version: 3 });
    expect(
      parseNotificationWork(
        JSON.stringify({
          resource: 'order',
          id: 'ord01jq4s4ky8hwq6na5pxb65b3d3',
          via: 'webhook',
          receivedAt: 'x',
        }),
      ),
    ).toBeNull();
  });
});
