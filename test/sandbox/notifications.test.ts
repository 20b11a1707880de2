import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Sandbox,
  STALE_SIGNATURE_SECONDS,
  signatureManifest,
  signManifest,
  startSandbox,
} from '../../local/sandbox/index.ts';
import { call, manualClock, refund } from './helpers.ts';

interface Received {
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const SECRET = 'test-webhook-secret';
let received: Received[] = [];
let answerStatuses: number[] = [];
let receiver: Server;
let receiverUrl: string;
let sandbox: Sandbox;

/** Verifies like a client following NOTES.md would, independently of the sandbox's code. */
const verifies = (request: Received, secret = SECRET): boolean => {
  const parts = new Map<string, string>();
  for (const part of String(request.headers['x-signature'] ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const ts = parts.get('ts');
  const v1 = parts.get('v1');
  const dataId = request.url.searchParams.get('data.id');
  if (!ts || !v1 || !dataId) return false;
  const manifest = `id:${dataId};request-id:${request.headers['x-request-id']};ts:${ts};`;
  const expected = createHmac('sha256', secret).update(manifest).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const waitFor = async (count: number): Promise<Received[]> => {
  const deadline = Date.now() + 3000;
  while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return received;
};

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ url: new URL(req.url ?? '/', 'http://receiver'), headers: req.headers, body });
      res.writeHead(answerStatuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/mercadopago`;
  sandbox = await startSandbox({
    webhookSecret: SECRET,
    notificationUrl: receiverUrl,
    notificationRetryDelaysMs: [20, 20],
    seedDemoData: false,
  });
});
afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(async () => {
  await sandbox.notificationsIdle();
  received = [];
  answerStatuses = [];
  sandbox.notificationsEnabled = true;
});

describe('signature', () => {
  it('matches the NOTES.md test vector', () => {
    const manifest = signatureManifest('123456789', '2066ca19-c6f1-498a-be75-1923005edd06', '1742505638');
    expect(manifest).toBe('id:123456789;request-id:2066ca19-c6f1-498a-be75-1923005edd06;ts:1742505638;');
    expect(signManifest('your_secret_key_here', manifest)).toBe(
      '511a5db27e69c7b158670982c6f6fcd25c9702e6996dc785065b32796660eb61',
    );
  });
});

describe('automatic notifications', () => {
  it('sends a signed payment webhook after a refund, without delaying the answer', async () => {
    const id = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 50 });
    expect((await refund(sandbox, id, 'notify-1', { amount: 5 })).status).toBe(201);
    const [delivery] = await waitFor(1);
    expect(delivery!.url.pathname).toBe('/webhooks/mercadopago');
    expect(Object.fromEntries(delivery!.url.searchParams)).toEqual({ 'data.id': id, type: 'payment' });
    expect(delivery!.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(delivery!.headers['x-signature']).toMatch(/^ts=\d{10},v1=[0-9a-f]{64}$/);
    expect(verifies(delivery!)).toBe(true);
    expect(verifies(delivery!, 'another-secret')).toBe(false);
    const ts = Number(/ts=(\d+)/.exec(String(delivery!.headers['x-signature']))![1]);
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5);
    expect(JSON.parse(delivery!.body)).toEqual({
      id: expect.any(Number),
      live_mode: false,
      type: 'payment',
      date_created: expect.any(String),
      user_id: 123456789,
      api_version: 'v1',
      action: 'payment.updated',
      data: { id },
    });
  });

  it('notifies cancellations and status changes, not while disabled', async () => {
    const id = sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 50 });
    sandbox.notificationsEnabled = false;
    await call(sandbox, 'PUT', `/v1/payments/${id}`, { body: { status: 'cancelled' } });
    await sandbox.notificationsIdle();
    expect(received).toEqual([]);
    sandbox.notificationsEnabled = true;
    sandbox.setPaymentStatus(id, 'approved');
    const [delivery] = await waitFor(1);
    expect(delivery!.url.searchParams.get('data.id')).toBe(id);
  });

  it('retries a failed delivery and records the attempts', async () => {
    answerStatuses = [500, 503];
    const id = sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 50 });
    sandbox.dashboardRefund(id, 1);
    await sandbox.notificationsIdle();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['x-request-id'])).size).toBe(1);
    const last = sandbox.notifications().at(-1)!;
    expect(last).toMatchObject({ automatic: true, attempts: 3, status: 200 });
  });

  it('sends a signed payment.created and an unsigned merchant order notice when a QR order is paid', async () => {
    await call(sandbox, 'PUT', '/instore/qr/seller/collectors/123456789/pos/TILL1/orders', {
      body: {
        external_reference: 'qr-notify',
        title: 'Coffee',
        total_amount: 3.5,
        items: [{ title: 'Coffee', unit_price: 3.5, quantity: 1, unit_measure: 'unit', total_amount: 3.5 }],
      },
    });
    const { paymentId, merchantOrderId } = sandbox.payQrOrder('TILL1');
    await waitFor(2);
    const payment = received.find((r) => r.url.searchParams.get('type') === 'payment')!;
    expect(verifies(payment)).toBe(true);
    expect(JSON.parse(payment.body)).toMatchObject({ action: 'payment.created', data: { id: paymentId } });
    const notice = received.find((r) => r.url.searchParams.get('topic') === 'merchant_order')!;
    expect(Object.fromEntries(notice.url.searchParams)).toEqual({
      topic: 'merchant_order',
      id: merchantOrderId,
    });
    expect(notice.headers['x-signature']).toBeUndefined();
  });
});

describe('QR order expiry', () => {
  it('sends a merchant order notice when an order outlives its TTL (injected clock)', async () => {
    const clock = manualClock(Date.now());
    const timed = await startSandbox({ now: clock.now, notificationUrl: receiverUrl, seedDemoData: false });
    try {
      const path = '/instore/qr/seller/collectors/123456789/pos/TILL9/orders';
      const body = {
        external_reference: 'qr-expiring',
        total_amount: 2,
        items: [{ title: 'Tea', unit_price: 2, quantity: 1, unit_measure: 'unit', total_amount: 2 }],
      };
      expect(
        (await call(timed, 'PUT', path, { body, headers: { 'x-ttl-store-preference': '30' } })).status,
      ).toBe(204);
      const { merchantOrderId } = timed.qrOrderOf('TILL9')!;
      clock.advance(30_000);
      expect((await call(timed, 'GET', path)).status).toBe(404);
      await timed.notificationsIdle();
      expect(received.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
        { topic: 'merchant_order', id: merchantOrderId },
      ]);
      expect(timed.getMerchantOrder(merchantOrderId)).toMatchObject({ status: 'expired' });
    } finally {
      await timed.close();
    }
  });
});

describe('sendNotification', () => {
  it('sends each variant: signed verifies; unsigned, forged and stale do not pass a NOTES.md check', async () => {
    const [signed] = await sandbox.sendNotification({ kind: 'signed', paymentId: '42' });
    expect(signed).toMatchObject({ status: 200, attempts: 1, automatic: false });
    await sandbox.sendNotification({ kind: 'unsigned', paymentId: '42' });
    await sandbox.sendNotification({ kind: 'forged', paymentId: '42' });
    await sandbox.sendNotification({ kind: 'stale', paymentId: '42' });
    const [s, unsigned, forged, stale] = received;
    expect(verifies(s!)).toBe(true);
    expect(unsigned!.headers['x-signature']).toBeUndefined();
    expect(verifies(forged!)).toBe(false);
    expect(verifies(stale!)).toBe(true);
    const staleTs = Number(/ts=(\d+)/.exec(String(stale!.headers['x-signature']))![1]);
    expect(Date.now() / 1000 - staleTs).toBeGreaterThanOrEqual(STALE_SIGNATURE_SECONDS - 5);
  });

  it('sends legacy IPN with an x-signature no secret validates, and timestamps in ms on request', async () => {
    await sandbox.sendNotification({ kind: 'ipn', paymentId: '42' });
    const [ipn] = received;
    expect(Object.fromEntries(ipn!.url.searchParams)).toEqual({ topic: 'payment', id: '42' });
    expect(ipn!.headers['x-signature']).toBeDefined();
    const [ms] = await sandbox.sendNotification({ kind: 'signed', paymentId: '42', tsInMilliseconds: true });
    expect(ms!.headers['x-signature']).toMatch(/^ts=\d{13},/);
    expect(verifies(received[1]!)).toBe(true);
  });

  it('sends duplicates with the same x-request-id and signature', async () => {
    const deliveries = await sandbox.sendNotification({ kind: 'signed', paymentId: '7', duplicate: 2 });
    expect(deliveries).toHaveLength(3);
    expect(received).toHaveLength(3);
    expect(
      new Set(received.map((r) => `${r.headers['x-request-id']} ${r.headers['x-signature']}`)).size,
    ).toBe(1);
  });
});
