import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { eventually } from '../support/wait.ts';
import { call, fetchFailure, refund } from './helpers.ts';

let sandbox: Sandbox;
const approved = () => sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 100 });

beforeAll(async () => {
  sandbox = await startSandbox({ seedDemoData: false });
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.resetFaults();
  sandbox.clearRequests();
});

describe('fault injection', () => {
  it('loseAnswer: the refund is created, the client sees a socket error, a replay returns it', async () => {
    const id = approved();
    sandbox.loseAnswer({ method: 'POST', path: /\/refunds$/ });
    const failure = await fetchFailure(refund(sandbox, id, 'lost-1', { amount: 10 }));
    expect(failure.code).toBe('UND_ERR_SOCKET');
    const refunds = sandbox.refundsOf(id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.status).toBe('approved');
    expect(sandbox.requests({ path: /refunds/ })[0]).toMatchObject({
      fault: 'lost_answer',
      responseStatus: 201,
    });

    const replay = await refund(sandbox, id, 'lost-1', { amount: 10 });
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(refunds[0]!.id);
    expect(sandbox.refundsOf(id)).toHaveLength(1);
  });

  it('drop: the request is read but not processed, and the socket is destroyed', async () => {
    const id = approved();
    sandbox.drop({ method: 'POST' });
    const failure = await fetchFailure(refund(sandbox, id, 'dropped-1', { amount: 10 }));
    expect(failure.code).toBe('UND_ERR_SOCKET');
    expect(sandbox.refundsOf(id)).toEqual([]);
    expect(sandbox.requests()[0]).toMatchObject({
      fault: 'dropped',
      body: { amount: 10 },
      idempotencyKey: 'dropped-1',
    });
    // The key was never processed: a retry with it creates the refund.
    expect((await refund(sandbox, id, 'dropped-1', { amount: 10 })).status).toBe(201);
  });

  it('refuse: connections fail with ECONNREFUSED until accepted again, nothing is processed', async () => {
    const id = approved();
    await call(sandbox, 'GET', `/v1/payments/${id}`);
    await sandbox.refuse();
    const failure = await fetchFailure(refund(sandbox, id, 'refused-1', { amount: 10 }));
    expect(failure.code).toBe('ECONNREFUSED');
    expect(sandbox.refundsOf(id)).toEqual([]);
    await sandbox.acceptConnections();
    expect((await call(sandbox, 'GET', `/v1/payments/${id}`)).status).toBe(200);
  });

  it('refuse forMs: accepts again on its own', async () => {
    await sandbox.refuse({ forMs: 1_000 });
    expect((await fetchFailure(call(sandbox, 'GET', '/v1/payments/1'))).code).toBe('ECONNREFUSED');
    await eventually(
      () =>
        call(sandbox, 'GET', '/v1/payments/1').then(
          (res) => res.status === 404,
          () => false,
        ),
      'the sandbox to accept connections again',
    );
  });

  it('status: answers the injected status for the next N matching requests, without processing', async () => {
    const id = approved();
    sandbox.status(429, { path: /\/refunds$/, times: 2, headers: { 'retry-after': '3' } });
    const first = await refund(sandbox, id, 'status-1', { amount: 10 });
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.body).toMatchObject({ status: 429, error: 'too_many_requests' });
    // Other paths are not matched.
    expect((await call(sandbox, 'GET', `/v1/payments/${id}`)).status).toBe(200);
    expect((await refund(sandbox, id, 'status-1', { amount: 10 })).status).toBe(429);
    expect(sandbox.refundsOf(id)).toEqual([]);
    expect((await refund(sandbox, id, 'status-1', { amount: 10 })).status).toBe(201);

    sandbox.status(502, { body: '<html>Bad Gateway</html>' });
    const html = await call(sandbox, 'GET', `/v1/payments/${id}`);
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('latency: delays processing by the given time', async () => {
    sandbox.latency(200, { method: 'GET' });
    const started = Date.now();
    expect((await call(sandbox, 'GET', '/v1/payments/1')).status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(sandbox.requests()[0]!.latencyMs).toBe(200);
  });

  it('logs requests with their idempotency and in-process headers, without the token', async () => {
    const id = approved();
    await refund(sandbox, id, 'logged-1', { amount: 1 }, { 'x-render-in-process-refunds': 'true' });
    const [entry] = sandbox.requests({ method: 'POST' });
    expect(entry).toMatchObject({
      method: 'POST',
      path: `/v1/payments/${id}/refunds`,
      idempotencyKey: 'logged-1',
      renderInProcessRefunds: 'true',
      tokenValid: true,
      body: { amount: 1 },
      responseStatus: 201,
      fault: null,
    });
    expect(entry!.headers.authorization).toBe('[redacted]');
    sandbox.clearRequests();
    expect(sandbox.requests()).toEqual([]);
  });

  it('resetFaults disarms everything', async () => {
    sandbox.status(500);
    sandbox.refundStatus('rejected');
    expect(sandbox.armedFaults()).toHaveLength(2);
    await sandbox.resetFaults();
    expect(sandbox.armedFaults()).toEqual([]);
    expect((await call(sandbox, 'GET', '/v1/payments/1')).status).toBe(404);
  });

  it('applies to the Orders API paths too: a 503 on create leaves the key free; loseAnswer then replay', async () => {
    const body = {
      type: 'qr',
      external_reference: 'faulted',
      config: { qr: { external_pos_id: 'POS1' } },
      transactions: { payments: [{ amount: '10.00' }] },
    };
    const create = () =>
      call(sandbox, 'POST', '/v1/orders', { body, headers: { 'x-idempotency-key': 'fault-order' } });
    sandbox.status(503, { method: 'POST', path: /^\/v1\/orders$/ });
    expect((await create()).status).toBe(503);
    sandbox.loseAnswer({ method: 'POST', path: '^/v1/orders$' });
    expect((await fetchFailure(create())).code).toBe('UND_ERR_SOCKET');
    const replay = await create();
    expect(replay.status).toBe(201);
    const [lost] = sandbox.requests({ path: /^\/v1\/orders$/ }).filter((r) => r.fault === 'lost_answer');
    expect(lost).toMatchObject({ responseStatus: 201 });
    sandbox.drop({ path: /\/v1\/orders\/ORD/ });
    expect((await fetchFailure(call(sandbox, 'GET', `/v1/orders/${replay.body.id}`))).code).toBe(
      'UND_ERR_SOCKET',
    );
    expect((await call(sandbox, 'GET', `/v1/orders/${replay.body.id}`)).body.status).toBe('created');
  });
});
