/**
 * Crashes the way Lambda has them: a server process killed with SIGKILL in the middle of a Mercado Pago
 * call, and `npm start` killed and started again on the same DATA_DIR. The functions' timeout is 3 s here,
 * so their locks expire in 5 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER_TOKEN, type Cluster, startCluster } from './cluster.ts';
import { reconcileAt } from './reconcile.ts';

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ servers: 3, env: { LOCAL_FUNCTION_TIMEOUT_SECONDS: '3' } });
}, 120_000);
afterAll(async () => c?.close());
beforeEach(async () => {
  await c.sandbox.resetFaults();
});

const DAY = 86_400_000;
const approved = (amount: number) =>
  c.sandbox.createPayment({ status: 'approved', currency: 'BRL', amount, dateApproved: Date.now() - DAY });
const refundsPath = (paymentId: string) => `^/v1/payments/${paymentId}/refunds$`;
const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 1_200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
};

describe('a server killed in the middle of a Mercado Pago call', () => {
  it('another server answers 409 while the lock holds, then resumes with the same key: one refund, one event', async () => {
    const paymentId = approved(100);
    c.sandbox.latency(2_000, { method: 'POST', path: refundsPath(paymentId) });
    const key = `crash-${paymentId}`;
    const dying = c
      .request(0, 'POST', `/payments/${paymentId}/refunds`, {
        body: { amount: 25 },
        headers: { 'idempotency-key': key },
      })
      .catch((error: unknown) => error);
    await until(
      () => c.sandbox.requests({ method: 'POST', path: refundsPath(paymentId) }).length === 1,
      'the call to reach Mercado Pago',
    );
    c.kill(0);
    expect(await dying).toBeInstanceOf(Error);
    const restarting = c.restart(0);
    const meanwhile = await c.request(1, 'POST', `/payments/${paymentId}/refunds`, {
      body: { amount: 25 },
      headers: { 'idempotency-key': key },
    });
    expect(meanwhile.status).toBe(409);
    expect(meanwhile.body.code).toBe('REFUND_IN_PROGRESS');
    await restarting;
    // Mercado Pago made the refund after the wait; the lock (3 s timeout + 2 s) expires; a retry resumes.
    await until(() => c.sandbox.refundsOf(paymentId).length === 1, 'Mercado Pago to make the refund');
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const resumed = await c.request(2, 'POST', `/payments/${paymentId}/refunds`, {
      body: { amount: 25 },
      headers: { 'idempotency-key': key },
    });
    expect(resumed.status).toBe(201);
    expect(resumed.body.mercadoPagoRefundId).toBe(String(c.sandbox.refundsOf(paymentId)[0]!.id));
    expect(c.sandbox.refundsOf(paymentId)).toHaveLength(1);
    const sent = c.sandbox
      .requests({ method: 'POST', path: refundsPath(paymentId) })
      .map((r) => r.idempotencyKey);
    expect(sent).toHaveLength(2);
    expect(new Set(sent).size).toBe(1);
    const events = c.events().filter((e) => (e.detail as { paymentId?: string }).paymentId === paymentId);
    expect(events.map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
    const replay = await c.request(0, 'POST', `/payments/${paymentId}/refunds`, {
      body: { amount: 25 },
      headers: { 'idempotency-key': key },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  }, 90_000);

  it('and nobody retries: its ledger is out of the due index, and reconciliation finds the refund through its sweep and settles it with its own key', async () => {
    const paymentId = approved(100);
    c.sandbox.latency(1_500, { method: 'POST', path: refundsPath(paymentId) });
    const dying = c
      .request(1, 'POST', `/payments/${paymentId}/refunds`, {
        body: { amount: 40 },
        headers: { 'idempotency-key': `never-retried-${paymentId}` },
      })
      .catch((error: unknown) => error);
    await until(
      () => c.sandbox.requests({ method: 'POST', path: refundsPath(paymentId) }).length === 1,
      'the call to reach Mercado Pago',
    );
    c.kill(1);
    expect(await dying).toBeInstanceOf(Error);
    const restarting = c.restart(1);
    await until(() => c.sandbox.refundsOf(paymentId).length === 1, 'Mercado Pago to make the refund');
    const reserved = await c.ledgers.get(paymentId);
    expect(reserved?.refunds[0]).toMatchObject({ status: 'pending', mercadoPagoRefundId: null });
    expect(reserved?.schedule?.leftToSweepUntil).toEqual(expect.any(String));

    // Within RECONCILE_PENDING_AFTER_SECONDS the sweep has not reached it; after it, the sweep hands it over.
    expect((await reconcileAt(c, 60_000)).handedOver).toBe(0);
    const report = await reconcileAt(c, 130_000);
    expect(report).toMatchObject({ handedOver: 1, settled: 1, failed: 0 });
    const settled = await c.ledgers.get(paymentId);
    expect(settled?.refunds[0]).toMatchObject({
      status: 'succeeded',
      mercadoPagoRefundId: String(c.sandbox.refundsOf(paymentId)[0]!.id),
    });
    expect(settled?.schedule).toBeUndefined();
    expect(c.sandbox.refundsOf(paymentId)).toHaveLength(1);
    const keys = c.sandbox
      .requests({ method: 'POST', path: refundsPath(paymentId) })
      .map((r) => r.idempotencyKey);
    expect(new Set(keys).size).toBe(1);
    await until(
      () => c.events().some((e) => (e.detail as { paymentId?: string }).paymentId === paymentId),
      'the event',
    );
    const events = c.events().filter((e) => (e.detail as { paymentId?: string }).paymentId === paymentId);
    expect(events.map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
    await restarting;
  }, 90_000);
});

describe('servers killed in a storm of refunds, and nobody retries', () => {
  it('reconciliation finds every refund through its sweep: each ledger equals Mercado Pago, nothing pending, none twice', async () => {
    const payments = Array.from({ length: 10 }, () => approved(100));
    for (const paymentId of payments)
      for (let i = 0; i < 3; i++)
        c.sandbox.latency(150 + Math.floor(Math.random() * 1_200), {
          method: 'POST',
          path: refundsPath(paymentId),
        });
    const sent = payments.flatMap((paymentId) =>
      [0, 1, 2].map((i) =>
        c
          .request(i, 'POST', `/payments/${paymentId}/refunds`, {
            body: { amount: 10 + i },
            headers: { 'idempotency-key': `storm-kill-${paymentId}-${i}` },
          })
          .catch((error: unknown) => error),
      ),
    );
    // Two of the three servers die while calls are in flight; the third finishes its own.
    await until(
      () => c.sandbox.requests({ method: 'POST', path: '/refunds$' }).length >= 10,
      'calls in flight',
    );
    c.kill(0);
    c.kill(1);
    await Promise.all(sent);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await Promise.all([c.restart(0), c.restart(1)]);
    // Refunds left pending by the deaths, their ledgers out of the due index: only the sweep can find them.
    const left = await Promise.all(payments.map((paymentId) => c.ledgers.get(paymentId)));
    expect(
      left.filter(
        (l) => l?.schedule?.leftToSweepUntil !== undefined && l.refunds.some((r) => r.status === 'pending'),
      ).length,
    ).toBeGreaterThan(0);

    await reconcileAt(c, 130_000);
    await reconcileAt(c, 400_000);
    for (const paymentId of payments) {
      const ledger = await c.ledgers.get(paymentId);
      const atMercadoPago = c.sandbox.refundsOf(paymentId).map((r) => String(r.id));
      const ours = ledger?.refunds ?? [];
      expect(ours.filter((r) => r.status === 'pending')).toEqual([]);
      const succeeded = ours.filter((r) => r.status === 'succeeded').map((r) => r.mercadoPagoRefundId);
      expect(new Set(succeeded).size).toBe(succeeded.length);
      expect(new Set(succeeded)).toEqual(new Set(atMercadoPago));
      expect(ledger?.schedule).toBeUndefined();
    }
  }, 120_000);
});

describe('npm start with DATA_DIR, killed mid-call and started again on the same data', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  const startServer = async (port: number, dataDir: string, eventsFile: string): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['local/start.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        DATA_DIR: dataDir,
        EVENTS_FILE: eventsFile,
        MP_API_BASE_URL: c.mercadoPago.url,
        MP_ACCESS_TOKEN: CLUSTER_TOKEN,
        MP_WEBHOOK_SECRET: c.sandbox.webhookSecret,
        MP_USER_ID: c.sandbox.userId,
        LOCAL_FUNCTION_TIMEOUT_SECONDS: '3',
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    for (let i = 0; i < 1_200; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return child;
      } catch {
        // not yet
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('server did not start');
  };

  it('the refund, its lock and its key survive: the retry after the lock resumes it, one refund, its event once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-dir-'));
    const dataDir = join(dir, 'data');
    const eventsFile = join(dir, 'events.jsonl');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const url = `http://127.0.0.1:${port}`;
    let server = await startServer(port, dataDir, eventsFile);
    try {
      const paymentId = approved(100);
      c.sandbox.latency(2_000, { method: 'POST', path: refundsPath(paymentId) });
      const body = JSON.stringify({ amount: 40 });
      const headers = { 'content-type': 'application/json', 'idempotency-key': `data-dir-${paymentId}` };
      const dying = fetch(`${url}/payments/${paymentId}/refunds`, { method: 'POST', body, headers }).catch(
        (error: unknown) => error,
      );
      await until(
        () => c.sandbox.requests({ method: 'POST', path: refundsPath(paymentId) }).length === 1,
        'the call',
      );
      server.kill('SIGKILL');
      await dying;
      await new Promise((resolve) => server.once('exit', resolve));
      server = await startServer(port, dataDir, eventsFile);
      await until(() => c.sandbox.refundsOf(paymentId).length === 1, 'Mercado Pago to make the refund');
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      const resumed = await fetch(`${url}/payments/${paymentId}/refunds`, { method: 'POST', body, headers });
      expect(resumed.status).toBe(201);
      expect(c.sandbox.refundsOf(paymentId)).toHaveLength(1);
      const lines = readFileSync(eventsFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { 'detail-type': string; detail: { paymentId?: string } });
      expect(lines.filter((l) => l.detail.paymentId === paymentId).map((l) => l['detail-type'])).toEqual([
        'Refund Succeeded',
      ]);
    } finally {
      server.kill('SIGKILL');
      await new Promise((resolve) =>
        server.exitCode === null && server.signalCode === null ? server.once('exit', resolve) : resolve(null),
      );
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
