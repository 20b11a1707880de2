import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { call } from './helpers.ts';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

const cancel = (paymentId: string, key?: string, body: unknown = { status: 'cancelled' }) =>
  call(sandbox, 'PUT', `/v1/payments/${paymentId}`, {
    body,
    headers: key === undefined ? {} : { 'x-idempotency-key': key },
  });

describe('cancellation', () => {
  it('cancels pending, in_process and authorized payments: cancelled/by_collector', async () => {
    for (const status of ['pending', 'in_process', 'authorized'] as const) {
      const id = sandbox.createPayment({ status, siteId: 'MLB', amount: 10 });
      const res = await cancel(id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: Number(id), status: 'cancelled', status_detail: 'by_collector' });
      expect(res.body.transaction_amount).toBe(10);
      expect(sandbox.getPayment(id)!.status).toBe('cancelled');
    }
  });

  it('answers only {id,status,status_detail} for payments created with minimalAnswers', async () => {
    const res = await cancel('20000000012');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 20000000012, status: 'cancelled', status_detail: 'by_collector' });
  });

  it('refuses approved, rejected and already cancelled payments with 400 code 2018', async () => {
    for (const id of ['20000000002', '20000000014', '20000000015']) {
      const res = await cancel(id);
      expect(res.status).toBe(400);
      expect(res.body.cause[0].code).toBe(2018);
    }
  });

  it('never cancels in-person payments, even pending ones', async () => {
    const pendingQr = sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 10, inPerson: 'qr' });
    for (const id of ['20000000019', '20000000020', pendingQr]) {
      const res = await cancel(id);
      expect(res.status).toBe(400);
      expect(res.body.cause[0].code).toBe(2018);
    }
    expect(sandbox.getPayment(pendingQr)!.status).toBe('pending');
  });

  it('honours the idempotency key: a replay answers the first answer', async () => {
    const id = sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 10 });
    const first = await cancel(id, 'cancel-key-1');
    const replay = await cancel(id, 'cancel-key-1');
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    // Without the key, the second request is processed: the payment is already cancelled.
    expect((await cancel(id)).status).toBe(400);
  });

  it('answers 404 code 2000 for an unknown payment and 400 for other updates', async () => {
    expect((await cancel('99999999998')).body.cause[0].code).toBe(2000);
    const id = sandbox.createPayment({ status: 'authorized', siteId: 'MLB', amount: 10 });
    expect((await cancel(id, undefined, { capture: true })).status).toBe(400);
    expect((await cancel(id, undefined, { status: 'approved' })).status).toBe(400);
    expect(sandbox.getPayment(id)!.status).toBe('authorized');
  });
});
