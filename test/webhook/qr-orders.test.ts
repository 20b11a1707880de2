/**
 * QR orders through notifications: a paid QR order is recorded paid (once, one event) whichever of its
 * payment webhook or merchant-order notice arrives first; a removed one is recorded expired.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createQrOrderStore } from '../../functions/adapters/dynamodb/qr-order-store.ts';
import type { QrOrderStore } from '../../functions/ports/qr-order-store.ts';
import { type Rig, startRig } from './rig.ts';

let rig: Rig;
let store: QrOrderStore;

beforeAll(async () => {
  rig = await startRig();
  store = createQrOrderStore(rig.h.dynamo, rig.h.tableName);
});

afterAll(async () => {
  await rig?.close();
});

beforeEach(async () => {
  await rig.reset();
});

const putOrder = async (externalReference: string, posId: string) => {
  const now = new Date();
  const expiresAt = new Date(now.getTime() + 600_000).toISOString();
  await rig.h.mercadoPago.putQrOrder(
    {
      userId: rig.h.sandbox.userId,
      externalStoreId: 'STORE1',
      externalPosId: posId,
      ttlSeconds: 600,
      order: {
        externalReference,
        title: 'Coffee',
        totalAmount: 12.5,
        items: [{ title: 'Coffee', unitPrice: 12.5, quantity: 1, unitMeasure: 'unit', totalAmount: 12.5 }],
        expirationDate: expiresAt,
        notificationUrl: rig.webhookUrl,
      },
    },
    { idempotencyKey: crypto.randomUUID() },
  );
  await store.put({
    externalReference,
    externalPosId: posId,
    externalStoreId: 'STORE1',
    totalMinor: 1250,
    currency: 'BRL',
    title: 'Coffee',
    expiresAt,
    status: 'open',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
};

it('records a paid QR order once, with one event, from its payment webhook and merchant-order notice', async () => {
  await putOrder('order-paid-1', 'TILL1');
  rig.h.sandbox.configure({ notificationsEnabled: true });
  const paid = rig.h.sandbox.payQrOrder('TILL1');
  await rig.h.sandbox.notificationsIdle();
  const kinds = rig.h.sandbox
    .notifications()
    .filter((n) => n.automatic)
    .map((n) => [n.kind, n.status]);
  expect(kinds).toEqual(
    expect.arrayContaining([
      ['signed', 200],
      ['merchant_order', 200],
    ]),
  );
  expect((await store.get('order-paid-1'))?.status).toBe('paid');
  const events = rig.eventsInFile();
  expect(events.map((e) => e['detail-type'])).toEqual(['QR Order Paid']);
  expect(events[0]!.detail).toMatchObject({
    externalReference: 'order-paid-1',
    merchantOrderId: paid.merchantOrderId,
    status: 'paid',
    paymentIds: [paid.paymentId],
  });
  // A late duplicate notice changes nothing.
  await rig.h.sandbox.sendNotification({ kind: 'merchant_order', merchantOrderId: paid.merchantOrderId });
  expect(rig.eventsInFile()).toHaveLength(1);
});

it('records a QR order removed from its till as expired', async () => {
  await putOrder('order-gone-1', 'TILL2');
  const before = rig.h.sandbox.qrOrderOf('TILL2');
  expect(before).toBeDefined();
  rig.h.sandbox.configure({ notificationsEnabled: true });
  expect(await rig.h.mercadoPago.deleteQrOrder(rig.h.sandbox.userId, 'TILL2')).toBe(true);
  await rig.h.sandbox.notificationsIdle();
  expect((await store.get('order-gone-1'))?.status).toBe('expired');
  expect(rig.eventsInFile().map((e) => [e['detail-type'], (e.detail as { status: string }).status])).toEqual([
    ['QR Order Expired', 'expired'],
  ]);
});

it('ignores merchant orders that are not ours', async () => {
  const paymentId = rig.h.sandbox.createPayment({
    status: 'approved',
    siteId: 'MLB',
    amount: 20,
    inPerson: 'qr',
  });
  const merchantOrderId = rig.h.sandbox.getPayment(paymentId)!.order as { id: string | number };
  const [delivery] = await rig.h.sandbox.sendNotification({
    kind: 'merchant_order',
    merchantOrderId: String(merchantOrderId.id),
  });
  expect(delivery?.status).toBe(200);
  expect(rig.events()).toEqual([]);
  expect((await rig.items()).filter((i) => !i.pk?.S?.startsWith('HINT#'))).toEqual([]);
});

it('an `opened` merchant order proves nothing (Mercado Pago 2024): the QR order stays open, no event', async () => {
  await putOrder('order-opened-1', 'TILL3');
  const merchantOrderId = rig.h.sandbox.qrOrderOf('TILL3')?.merchantOrderId;
  expect(merchantOrderId).toBeDefined();
  expect(rig.h.sandbox.getMerchantOrder(merchantOrderId!)?.status).toBe('opened');
  const [delivery] = await rig.h.sandbox.sendNotification({
    kind: 'merchant_order',
    merchantOrderId: merchantOrderId!,
  });
  expect(delivery?.status).toBe(200);
  expect((await store.get('order-opened-1'))?.status).toBe('open');
  expect(rig.events()).toEqual([]);
});
