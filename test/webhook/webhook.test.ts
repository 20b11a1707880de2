/**
 * POST /webhooks/mercadopago end to end: the sandbox delivers over HTTP to the local server running the
 * webhook Lambda (inline processing), against dynalite. Signatures, shapes, duplicates, reordering, the
 * re-read a notification costs, and what it changes.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { signatureHeader } from '../../local/sandbox/index.ts';
import { invoke } from '../support/harness.ts';
import {
  approvedPayment,
  paymentReads,
  type Rig,
  refundPosts,
  silentLogger,
  startRig,
  WEBHOOK_PATH,
} from './rig.ts';

let rig: Rig;

beforeAll(async () => {
  rig = await startRig();
});

afterAll(async () => {
  await rig?.close();
});

beforeEach(async () => {
  await rig.reset();
});

const post = (input: { query: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }) =>
  invoke(rig.webhook, {
    method: 'POST',
    path: `${WEBHOOK_PATH}?${input.query}`,
    ...(input.body !== undefined ? { body: input.body } : {}),
    ...(input.rawBody !== undefined ? { rawBody: input.rawBody } : {}),
    headers: input.headers ?? {},
  });

const webhookBody = (paymentId: string, overrides: Record<string, unknown> = {}) => ({
  id: 12345678901,
  live_mode: false,
  type: 'payment',
  date_created: new Date().toISOString(),
  user_id: Number(rig.h.sandbox.userId),
  api_version: 'v1',
  action: 'payment.updated',
  data: { id: paymentId },
  ...overrides,
});

const signed = (
  paymentId: string,
  requestId = crypto.randomUUID(),
  ts = String(Math.floor(Date.now() / 1000)),
) => ({
  'x-request-id': requestId,
  'x-signature': signatureHeader(rig.h.sandbox.webhookSecret, paymentId, requestId, ts),
});

const ledgerItems = async () => (await rig.items()).filter((item) => item.pk?.S?.startsWith('PAYMENT#'));

describe('signed webhooks', () => {
  it('re-reads the payment once and records a refund made in the dashboard; GET .../refunds shows it', async () => {
    const paymentId = approvedPayment(rig, 100);
    const refund = rig.h.sandbox.dashboardRefund(paymentId, 30);
    const [delivery] = await rig.h.sandbox.sendNotification({ kind: 'signed', paymentId });
    expect(delivery?.status).toBe(200);
    expect(paymentReads(rig, paymentId)).toHaveLength(1);

    const ledger = await rig.h.ledgers.get(paymentId);
    expect(ledger?.refunds).toEqual([
      expect.objectContaining({
        origin: 'external',
        status: 'succeeded',
        amountMinor: 3000,
        mercadoPagoRefundId: String(refund.id),
      }),
    ]);
    expect(
      rig.events().map((e) => [e['detail-type'], (e.detail as { refund: { origin: string } }).refund.origin]),
    ).toEqual([['Refund Succeeded', 'external']]);

    const listed = await invoke(rig.refunds, { method: 'GET', path: `/payments/${paymentId}/refunds` });
    expect(listed.status).toBe(200);
    expect(listed.body.refundedAmount).toBe(30);
    expect(listed.body.refunds).toEqual([
      expect.objectContaining({
        origin: 'external',
        status: 'succeeded',
        amount: 30,
        mercadoPagoRefundId: String(refund.id),
      }),
    ]);
    // Reading it again changed nothing: still one event.
    expect(rig.events()).toHaveLength(1);
  });

  it('accepts ts in milliseconds', async () => {
    const paymentId = approvedPayment(rig);
    rig.h.sandbox.dashboardRefund(paymentId, 10);
    const [delivery] = await rig.h.sandbox.sendNotification({
      kind: 'signed',
      paymentId,
      tsInMilliseconds: true,
    });
    expect(delivery?.status).toBe(200);
    expect((await rig.h.ledgers.get(paymentId))?.refunds).toHaveLength(1);
  });

  it('accepts a signature made with the previous secret of a rotation', async () => {
    const paymentId = approvedPayment(rig);
    rig.h.sandbox.dashboardRefund(paymentId, 10);
    const original = rig.webhookDeps.secrets;
    rig.webhookDeps.secrets = async () => ['the-new-secret', rig.h.sandbox.webhookSecret];
    try {
      const response = await post({
        query: `data.id=${paymentId}&type=payment`,
        body: webhookBody(paymentId),
        headers: signed(paymentId),
      });
      expect(response).toMatchObject({ status: 200, body: { status: 'processed' } });
    } finally {
      rig.webhookDeps.secrets = original;
    }
  });

  it.each(['unsigned', 'forged', 'stale'] as const)(
    'refuses %s notifications: 401, nothing read or written',
    async (kind) => {
      const paymentId = approvedPayment(rig);
      rig.h.sandbox.dashboardRefund(paymentId, 10);
      const [delivery] = await rig.h.sandbox.sendNotification({ kind, paymentId });
      expect(delivery?.status).toBe(401);
      expect(paymentReads(rig, paymentId)).toHaveLength(0);
      expect(await rig.items()).toEqual([]);
      expect(rig.metricCount('NotificationRejected')).toBe(1);
    },
  );

  it('refuses a body data.id other than the signed one, a tampered signature, missing x-request-id or ts', async () => {
    const paymentId = approvedPayment(rig);
    const other = approvedPayment(rig);
    const headers = signed(paymentId);
    const cases = [
      { query: `data.id=${paymentId}&type=payment`, body: webhookBody(other), headers },
      { query: `data.id=${other}&type=payment`, body: webhookBody(other), headers },
      {
        query: `data.id=${paymentId}&type=payment`,
        body: webhookBody(paymentId),
        headers: {
          ...headers,
          'x-signature': headers['x-signature'].replace(
            /v1=(.)/,
            (_m: string, c: string) => `v1=${c === '0' ? '1' : '0'}`,
          ),
        },
      },
      {
        query: `data.id=${paymentId}&type=payment`,
        body: webhookBody(paymentId),
        headers: { 'x-signature': headers['x-signature'] },
      },
      {
        query: `data.id=${paymentId}&type=payment`,
        body: webhookBody(paymentId),
        headers: { ...headers, 'x-signature': headers['x-signature'].replace(/ts=\d+,/, '') },
      },
      {
        query: `data.id=${paymentId}&type=payment`,
        body: webhookBody(paymentId),
        headers: { ...headers, 'x-request-id': `${headers['x-request-id']}0` },
      },
    ];
    for (const input of cases) {
      const response = await post(input);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_SIGNATURE');
    }
    expect(paymentReads(rig, paymentId)).toHaveLength(0);
    expect(await rig.items()).toEqual([]);
  });

  it('acknowledges other sellers and unknown types without reading anything', async () => {
    const paymentId = approvedPayment(rig);
    const otherSeller = await post({
      query: `data.id=${paymentId}&type=payment`,
      body: webhookBody(paymentId, { user_id: 42 }),
      headers: signed(paymentId),
    });
    expect(otherSeller).toMatchObject({ status: 200, body: { status: 'ignored' } });
    const unknown = await post({
      query: `data.id=${paymentId}&type=topic_claims_integration_wh`,
      body: webhookBody(paymentId, { type: 'topic_claims_integration_wh' }),
      headers: signed(paymentId),
    });
    expect(unknown).toMatchObject({ status: 200, body: { status: 'ignored' } });
    expect(paymentReads(rig, paymentId)).toHaveLength(0);
    expect(await rig.items()).toEqual([]);
  });

  it('ignores a payment of another collector that our token can read', async () => {
    const paymentId = rig.h.sandbox.createPayment({
      status: 'approved',
      siteId: 'MLB',
      amount: 50,
      refunds: [10],
    });
    const original = rig.processing.userId;
    rig.processing.userId = '987654321';
    try {
      const response = await post({
        query: `data.id=${paymentId}&type=payment`,
        body: webhookBody(paymentId, { user_id: undefined }),
        headers: signed(paymentId),
      });
      expect(response.status).toBe(200);
    } finally {
      rig.processing.userId = original;
    }
    expect(await ledgerItems()).toEqual([]);
  });
});

describe('duplicates and order', () => {
  it('processes a notification delivered three times once', async () => {
    const paymentId = approvedPayment(rig);
    rig.h.sandbox.dashboardRefund(paymentId, 10);
    const deliveries = await rig.h.sandbox.sendNotification({ kind: 'signed', paymentId, duplicate: 2 });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(paymentReads(rig, paymentId)).toHaveLength(1);
    expect(rig.events()).toHaveLength(1);
    expect(rig.metricCount('NotificationDuplicate')).toBe(2);
  });

  it("treats Mercado Pago's retry (same notification id and action, new x-request-id) as a duplicate", async () => {
    const paymentId = approvedPayment(rig);
    rig.h.sandbox.dashboardRefund(paymentId, 10);
    const body = webhookBody(paymentId, { id: 777 });
    const first = await post({
      query: `data.id=${paymentId}&type=payment`,
      body,
      headers: signed(paymentId),
    });
    const retry = await post({
      query: `data.id=${paymentId}&type=payment`,
      body,
      headers: signed(paymentId),
    });
    const nextAction = await post({
      query: `data.id=${paymentId}&type=payment`,
      body: { ...body, id: 778 },
      headers: signed(paymentId),
    });
    expect([first.body.status, retry.body.status, nextAction.body.status]).toEqual([
      'processed',
      'duplicate',
      'processed',
    ]);
    expect(paymentReads(rig, paymentId)).toHaveLength(2);
    expect(rig.events()).toHaveLength(1);
  });

  it('processes a notification again when its first processing failed (Mercado Pago unavailable)', async () => {
    const paymentId = approvedPayment(rig);
    rig.h.sandbox.dashboardRefund(paymentId, 10);
    rig.h.sandbox.status(503, { method: 'GET', path: `^/v1/payments/${paymentId}$`, times: 3 });
    const headers = signed(paymentId);
    const body = webhookBody(paymentId, { id: 999 });
    const failed = await post({ query: `data.id=${paymentId}&type=payment`, body, headers });
    expect(failed.status).toBe(503);
    expect(await rig.h.ledgers.get(paymentId)).toBeUndefined();
    const again = await post({ query: `data.id=${paymentId}&type=payment`, body, headers });
    expect(again).toMatchObject({ status: 200, body: { status: 'processed' } });
    expect((await rig.h.ledgers.get(paymentId))?.refunds).toHaveLength(1);
  });

  it('never moves a state backwards when deliveries arrive out of order', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.refundStatus('in_process');
    const created = await invoke(rig.refunds, {
      method: 'POST',
      path: `/payments/${paymentId}/refunds`,
      body: { amount: 40 },
      headers: { 'idempotency-key': `order-${paymentId}` },
    });
    expect(created.status).toBe(202);
    const mpRefund = rig.h.sandbox.refundsOf(paymentId)[0]!;
    rig.h.sandbox.settleRefund(String(mpRefund.id), 'approved');

    // The newer notification first, then the older one (payment.created) late.
    const newer = await post({
      query: `data.id=${paymentId}&type=payment`,
      body: webhookBody(paymentId, { id: 2 }),
      headers: signed(paymentId),
    });
    const older = await post({
      query: `data.id=${paymentId}&type=payment`,
      body: webhookBody(paymentId, { id: 1, action: 'payment.created' }),
      headers: signed(paymentId),
    });
    expect([newer.status, older.status]).toEqual([200, 200]);
    const entry = (await rig.h.ledgers.get(paymentId))?.refunds.find((e) => e.id === created.body.id);
    expect(entry).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: String(mpRefund.id) });
    expect(rig.events().map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
  });
});

describe('legacy IPN and merchant-order notices', () => {
  it('re-reads the payment of an IPN (its x-signature ignored), at most once per 10 seconds', async () => {
    const paymentId = approvedPayment(rig);
    rig.h.sandbox.dashboardRefund(paymentId, 10);
    const [first] = await rig.h.sandbox.sendNotification({ kind: 'ipn', paymentId });
    const flood = await rig.h.sandbox.sendNotification({ kind: 'ipn', paymentId, duplicate: 5 });
    expect(first?.status).toBe(200);
    expect(flood.every((d) => d.status === 200)).toBe(true);
    expect(paymentReads(rig, paymentId)).toHaveLength(1);
    expect((await rig.h.ledgers.get(paymentId))?.refunds).toHaveLength(1);
  });

  it('accepts IPN with an empty body, a form body or no Content-Type', async () => {
    for (const [index, input] of [
      { rawBody: '' },
      { rawBody: 'topic=payment&id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { rawBody: 'not json', headers: { 'content-type': 'text/plain' } },
    ].entries()) {
      const paymentId = approvedPayment(rig);
      const response = await post({ query: `topic=payment&id=${paymentId}`, ...input });
      expect(response.status, `case ${index}`).toBe(200);
      expect(paymentReads(rig, paymentId)).toHaveLength(1);
    }
  });

  it('rate-limits forged hints per resource: a flood for one payment costs one read', async () => {
    const paymentId = approvedPayment(rig);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        post({ query: `topic=payment&id=${paymentId}`, headers: { 'x-signature': 'ts=1,v1=00' } }),
      ),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(responses.filter((r) => r.body.status === 'rate_limited')).toHaveLength(19);
    expect(paymentReads(rig, paymentId)).toHaveLength(1);
  });

  it('acknowledges unknown topics and non-numeric ids without reading', async () => {
    for (const query of [
      'topic=topic_claims_integration_wh&id=1',
      'topic=chargebacks&id=CB-1',
      'topic=payment&id=abc',
      'id=1&topic=point_integration_wh',
    ]) {
      const response = await post({ query });
      expect(response).toMatchObject({ status: 200, body: { status: 'ignored' } });
    }
    expect(rig.h.sandbox.requests()).toEqual([]);
  });

  it('answers 400 VALIDATION_ERROR to a request of neither shape', async () => {
    for (const query of ['', 'data.id=1', 'type=payment', 'topic=payment', 'id=1', 'data.id=&type=payment']) {
      const response = await post({ query, body: { type: 'payment', data: { id: '1' } } });
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
    }
    expect(await rig.items()).toEqual([]);
  });
});

describe('a refund whose answers were all lost', () => {
  it('a lost answer stays pending through the notification (no evidence), then its re-send settles it: one refund, one event', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.loseAnswer({ method: 'POST', path: `^/v1/payments/${paymentId}/refunds$`, times: 10 });
    const created = await invoke(rig.refunds, {
      method: 'POST',
      path: `/payments/${paymentId}/refunds`,
      body: { amount: 25 },
      headers: { 'idempotency-key': `lost-${paymentId}` },
    });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('pending');
    expect(refundPosts(rig, paymentId).length).toBeGreaterThan(1);
    expect(rig.events()).toEqual([]);
    await rig.h.sandbox.resetFaults();

    // The sandbox tells: its automatic, signed notification. A read is no evidence that its refund of 25 is
    // ours (another system could have made one of the same amount): held, not linked, not published.
    rig.h.sandbox.configure({ notificationsEnabled: true });
    rig.h.sandbox.setPaymentStatus(paymentId, 'approved');
    await rig.h.sandbox.notificationsIdle();
    const auto = rig.h.sandbox.notifications().filter((n) => n.automatic);
    expect(auto.at(-1)?.status).toBe(200);
    const held = await invoke(rig.refunds, {
      method: 'GET',
      path: `/payments/${paymentId}/refunds/${created.body.id}`,
    });
    expect(held.body).toMatchObject({ status: 'pending', mercadoPagoRefundId: null });
    expect(rig.events()).toEqual([]);

    // Reconciliation re-sends it with its own key: Mercado Pago answers the refund that key made.
    rig.clock.advance(130_000);
    const report = await runReconcile(rig.reconcileDeps(), {
      log: silentLogger,
      deadline: rig.clock.now() + 10_000,
    });
    expect(report).toMatchObject({ checked: 1, settled: 1, resent: 1 });
    const settled = await invoke(rig.refunds, {
      method: 'GET',
      path: `/payments/${paymentId}/refunds/${created.body.id}`,
    });
    expect(settled.body).toMatchObject({ status: 'succeeded', amount: 25, origin: 'api' });
    expect(rig.h.sandbox.refundsOf(paymentId)).toHaveLength(1);
    expect(settled.body.mercadoPagoRefundId).toBe(String(rig.h.sandbox.refundsOf(paymentId)[0]!.id));
    const events = rig.eventsInFile();
    expect(events.map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
    expect((events[0]!.detail as { refund: { id: string } }).refund.id).toBe(created.body.id);
  });
});
