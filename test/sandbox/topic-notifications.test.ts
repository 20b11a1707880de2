import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, signatureManifest, signManifest, startSandbox } from '../../local/sandbox/index.ts';
import { call } from './helpers.ts';
import { type Received, type Receiver, startReceiver, verifies } from './receiver.ts';

const SECRET = 'topic-secret';
let receiver: Receiver;
let sandbox: Sandbox;
let keyCounter = 0;
const newKey = () => `topic-key-${++keyCounter}`;

const createOrder = async (pos = 'POS1'): Promise<string> => {
  const res = await call(sandbox, 'POST', '/v1/orders', {
    headers: { 'x-idempotency-key': newKey() },
    body: {
      type: 'qr',
      external_reference: 'notify-me',
      total_amount: '30.00',
      config: { qr: { external_pos_id: pos } },
      transactions: { payments: [{ amount: '30.00' }] },
    },
  });
  return res.body.id as string;
};

const orderNotice = (id: string, action: string) => (r: Received) =>
  r.url.searchParams.get('data.id') === id && JSON.parse(r.body).action === action;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({
    webhookSecret: SECRET,
    notificationUrl: receiver.url,
    seedDemoData: false,
    orderRefundDelayMs: null,
    reportDelayMs: 0,
  });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(async () => {
  await sandbox.notificationsIdle();
  receiver.clear();
  sandbox.configure({ orderWebhookSigning: 'raw', chargebackNotifications: 'webhook' });
});

describe('order webhooks', () => {
  it('matches the NOTES test vector for an ORD id (raw and lower-cased, ts in ms)', () => {
    const requestId = '2066ca19-c6f1-498a-be75-1923005edd06';
    const id = 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3';
    expect(signManifest('your_secret_key_here', signatureManifest(id, requestId, '1742505638683'))).toBe(
      'fb15ae6472eb449173c556793205d77787d58f384d183bb5bc3b724c27bd103c',
    );
    expect(
      signManifest('your_secret_key_here', signatureManifest(id.toLowerCase(), requestId, '1742505638683')),
    ).toBe('633f91233312dd391ec75fa0bea539cfc2d6c4918873305b84a96cc1c58db71c');
  });

  it('sends a signed order.processed (ts in ms) with the order state and a growing version', async () => {
    const id = await createOrder();
    sandbox.payOrder(id);
    const processed = await receiver.next(orderNotice(id, 'order.processed'));
    expect(Object.fromEntries(processed.url.searchParams)).toEqual({ 'data.id': id, type: 'order' });
    expect(processed.headers['x-signature']).toMatch(/^ts=\d{13},v1=[0-9a-f]{64}$/);
    expect(verifies(processed, SECRET)).toBe(true);
    expect(verifies(processed, SECRET, id.toLowerCase())).toBe(false);
    const body = JSON.parse(processed.body);
    expect(body).toMatchObject({
      action: 'order.processed',
      api_version: 'v1',
      application_id: expect.any(String),
      date_created: expect.any(String),
      live_mode: false,
      type: 'order',
      user_id: '123456789',
      data: {
        id,
        external_reference: 'notify-me',
        status: 'processed',
        status_detail: 'accredited',
        total_amount: '30.00',
        transactions: { payments: [expect.objectContaining({ status: 'processed' })] },
        type: 'qr',
        version: expect.any(Number),
      },
    });

    const refund = await call(sandbox, 'POST', `/v1/orders/${id}/refund`, {
      headers: { 'x-idempotency-key': newKey() },
    });
    sandbox.settleOrderRefund(refund.body.transactions.refunds[0].id, 'processed');
    const refunded = JSON.parse((await receiver.next(orderNotice(id, 'order.refunded'))).body);
    expect(refunded.data.status).toBe('refunded');
    expect(refunded.data.version).toBeGreaterThan(body.data.version);
  });

  it('sends order.canceled, order.expired, order.charged_back; signs the lower-cased id or nothing when set', async () => {
    sandbox.configure({ orderWebhookSigning: 'lowercase' });
    const canceled = await createOrder();
    await call(sandbox, 'POST', `/v1/orders/${canceled}/cancel`, {
      headers: { 'x-idempotency-key': newKey() },
    });
    const cancelNotice = await receiver.next(orderNotice(canceled, 'order.canceled'));
    expect(cancelNotice.url.searchParams.get('data.id')).toBe(canceled);
    expect(verifies(cancelNotice, SECRET, canceled.toLowerCase())).toBe(true);
    expect(verifies(cancelNotice, SECRET)).toBe(false);

    sandbox.configure({ orderWebhookSigning: 'none' });
    const expiring = await createOrder();
    sandbox.expireOrder(expiring);
    const expired = await receiver.next(orderNotice(expiring, 'order.expired'));
    expect(expired.headers['x-signature']).toBeUndefined();

    sandbox.configure({ orderWebhookSigning: 'raw' });
    const charged = await createOrder();
    const { paymentId } = sandbox.payOrder(charged);
    const chargebackId = sandbox.chargeBackOrder(charged);
    const notice = JSON.parse((await receiver.next(orderNotice(charged, 'order.charged_back'))).body);
    expect(notice.data).toMatchObject({ status: 'charged_back', status_detail: 'settled' });
    const cbNotice = await receiver.next((r) => r.url.searchParams.get('data.id') === chargebackId);
    expect(cbNotice.body).toContain(`"payment_id":${paymentId}`);
  });

  it('sends order notifications on demand, with duplicates', async () => {
    const id = await createOrder();
    sandbox.forceOrderStatus(id, 'action_required');
    await receiver.next(orderNotice(id, 'order.action_required'));
    receiver.clear();
    const deliveries = await sandbox.sendNotification({ kind: 'order', orderId: id, duplicate: 1 });
    expect(deliveries).toHaveLength(2);
    expect(receiver.received).toHaveLength(2);
    expect(JSON.parse(receiver.received[0]!.body).action).toBe('order.action_required');
    expect(receiver.received[0]!.headers['x-request-id']).toBe(receiver.received[1]!.headers['x-request-id']);
    await expect(sandbox.sendNotification({ kind: 'order', orderId: 'ORDNOPE' })).rejects.toThrow(/no order/);
  });
});

describe('chargeback notifications', () => {
  it('sends topic_chargebacks_wh with actions[] and the 18-digit id as a bare JSON number', async () => {
    const paymentId = sandbox.createPayment({ status: 'approved', siteId: 'MLA', amount: 1000.5 });
    const chargebackId = sandbox.openChargeback(paymentId);
    const notice = await receiver.next((r) => r.url.searchParams.get('type') === 'topic_chargebacks_wh');
    expect(Object.fromEntries(notice.url.searchParams)).toEqual({
      'data.id': chargebackId,
      type: 'topic_chargebacks_wh',
    });
    expect(verifies(notice, SECRET)).toBe(true);
    expect(notice.body).toContain(`"id":${chargebackId},"payment_id":${paymentId}`);
    expect(BigInt(chargebackId)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    // A plain JSON.parse loses digits: exactly what clients must not rely on.
    expect(String(JSON.parse(notice.body).data.id)).not.toBe(chargebackId);
    expect(JSON.parse(notice.body)).toMatchObject({
      actions: ['changed_case_status'],
      api_version: 'v1',
      type: 'topic_chargebacks_wh',
      live_mode: false,
      user_id: 123456789,
      data: {
        checkout: 'PRO',
        date_updated: '0001-01-01T00:00:00Z',
        site_id: 'MLA',
        transaction_intent_id: '',
      },
    });
    // The payment changed too.
    await receiver.next((r) => r.url.searchParams.get('type') === 'payment');
  });

  it('sends the legacy IPN ?topic=chargebacks&id= when set (or both)', async () => {
    sandbox.configure({ chargebackNotifications: 'both' });
    const paymentId = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 10 });
    const chargebackId = sandbox.openChargeback(paymentId);
    const ipn = await receiver.next((r) => r.url.searchParams.get('topic') === 'chargebacks');
    expect(Object.fromEntries(ipn.url.searchParams)).toEqual({ topic: 'chargebacks', id: chargebackId });
    expect(verifies(ipn, SECRET, chargebackId)).toBe(false);
    await receiver.next((r) => r.url.searchParams.get('data.id') === chargebackId);
    receiver.clear();
    await sandbox.sendNotification({ kind: 'chargeback_ipn', chargebackId });
    expect(receiver.received.map((r) => r.url.searchParams.get('topic'))).toEqual(['chargebacks']);
  });
});

describe('report-ready notices', () => {
  it('POSTs files[] and transaction_id when a report file is generated', async () => {
    const task = await call(sandbox, 'POST', '/v1/account/settlement_report', {
      body: { begin_date: '2025-01-01T00:00:00Z', end_date: '2025-01-31T23:59:59Z' },
    });
    expect(task.status).toBe(202);
    const notice = await receiver.next((r) => r.body.includes('"files"'));
    const body = JSON.parse(notice.body);
    expect(body).toMatchObject({
      transaction_id: String(task.body.id),
      report_type: 'settlement',
      creation_type: 'manual',
      is_test: true,
      files: [
        {
          type: '.csv',
          name: expect.stringMatching(/^settlement-report-123456789-\d{4}-\d{2}-\d{2}-\d{6}\.csv$/),
        },
      ],
    });
    const file = await fetch(body.files[0].url, {
      headers: { authorization: `Bearer ${sandbox.accessToken}` },
    });
    expect(file.status).toBe(200);
    expect(await file.text()).toMatch(/^EXTERNAL_REFERENCE;SOURCE_ID;/);
  });
});
