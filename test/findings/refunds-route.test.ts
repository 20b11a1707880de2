/**
 * Findings of a review (regression tests): the refund route (create-refund.ts, keyed-request.ts) against the sandbox and dynalite.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { createRefund } from '../../functions/refunds/create-refund.ts';
import { daysAgo, reconcileWith, refundApi } from '../refunds/support.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';

let h: Harness;
let api: ReturnType<typeof refundApi>;

beforeAll(async () => {
  h = await startHarness();
  api = refundApi(h);
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.setBalance(null);
  h.sandbox.clearRequests();
});

const approved = (amount = 100) =>
  h.sandbox.createPayment({ status: 'approved', currency: 'BRL', amount, dateApproved: daysAgo(1) });

/** A first request that reserved and whose function died during the Mercado Pago call (see refunds.test.ts). */
const dieDuringCall = async (
  paymentId: string,
  key: string,
  amount: number,
  options: { reachesMercadoPago?: boolean } = {},
) => {
  let sent!: () => void;
  const calling = new Promise<void>((resolve) => {
    sent = resolve;
  });
  const dying = {
    ...h.mercadoPago,
    createRefund: async (...args: Parameters<typeof h.mercadoPago.createRefund>) => {
      if (options.reachesMercadoPago) await h.mercadoPago.createRefund(...args);
      sent();
      return new Promise<never>(() => undefined);
    },
  };
  void createRefund(
    { ...api.deps, mercadoPago: dying },
    {
      paymentId,
      idempotencyKey: key,
      amount,
      caller: 'test',
      requestId: 'r1',
      deadline: Date.now() + 5_000,
      log: quietLogger,
    },
  ).catch(() => undefined);
  await calling;
};
const afterLock = (minutes = 0.5) => refundApi(h, { clock: { now: () => Date.now() + minutes * 60_000 } });

describe('a resume whose payment read answers 404', () => {
  it('does not store 404 PAYMENT_NOT_FOUND for a key whose refund exists (and was made at Mercado Pago)', async () => {
    const paymentId = approved(100);
    await dieDuringCall(paymentId, 'review-resume-404', 20, { reachesMercadoPago: true });
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);

    // The resume's read gets one 404 (e.g. a token mix-up during a rotation: NOTES says a wrong seller's
    // token sees 404 code 2000).
    h.sandbox.status(404, {
      method: 'GET',
      path: `^/v1/payments/${paymentId}$`,
      body: { message: 'Payment not found', error: 'not_found', status: 404, cause: [{ code: 2000 }] },
    });
    const resumed = await afterLock().refund(paymentId, { amount: 20 }, 'review-resume-404');
    expect.soft(resumed.status).not.toBe(404);

    // Whatever the resume answered, once reconciliation has settled the refund the key answers its state.
    const later = Date.now() + 3 * 60_000;
    await runReconcile(reconcileWith(h, later), { log: quietLogger, deadline: later + 20_000 });
    const ledger = await h.ledgers.get(paymentId);
    expect(ledger!.refunds.map((r) => r.status)).toEqual(['succeeded']);
    const replay = await afterLock(5).refund(paymentId, { amount: 20 }, 'review-resume-404');
    // Before the fix: 404 PAYMENT_NOT_FOUND, replayed for 30 days, for a refund that succeeded.
    expect(replay.status).toBe(201);
  });
});

describe('a key past its retention, reused on another payment', () => {
  it('a repeat on the first payment still answers its refund (API.md: only the cross-payment 422 lapses)', async () => {
    const first = approved(100);
    const second = approved(100);
    const made = await api.refund(first, { amount: 10 }, 'review-retained');
    expect(made.status).toBe(201);

    // 31 days later (IDEMPOTENCY_KEY_RETENTION_DAYS = 30) the key is used on another payment: allowed.
    const later = refundApi(h, { clock: { now: () => Date.now() + 31 * 86_400_000 } });
    const elsewhere = await later.refund(second, { amount: 10 }, 'review-retained');
    expect(elsewhere.status).toBe(201);

    // A repeat of the first request: its ledger still holds the refund made with the key.
    const repeat = await later.refund(first, { amount: 10 }, 'review-retained');
    // Before the fix: 422 IDEMPOTENCY_KEY_REUSED (the live key item names the second payment and is consulted first).
    expect(repeat.status).toBe(201);
    expect(repeat.body.id).toBe(made.body.id);
  });
});
