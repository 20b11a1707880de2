/**
 * Findings of a review (regression tests): cancellations (route + model), against the sandbox and dynalite.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CancellationDeps } from '../../functions/cancellation/deps.ts';
import { cancellationRoutes } from '../../functions/cancellation/routes.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import type { CreatePaymentInput } from '../../local/sandbox/index.ts';
import {
  type Harness,
  type InvokeResult,
  invoke,
  type LambdaLike,
  newId,
  quietLogger,
  startHarness,
} from '../support/harness.ts';

let h: Harness;
let handler: LambdaLike;

beforeAll(async () => {
  h = await startHarness();
  const deps: CancellationDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    clock: h.clock,
    newId,
    settings: h.settings,
    keyRetentionDays: 30,
  };
  handler = createHttpHandler(
    cancellationRoutes(async () => deps),
    { logger: quietLogger },
  );
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.clearRequests();
});

const payment = (input: Partial<CreatePaymentInput> = {}): string =>
  h.sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 150, ...input });

const cancel = (paymentId: string, key?: string): Promise<InvokeResult> =>
  invoke(handler, {
    method: 'POST',
    path: `/payments/${paymentId}/cancellation`,
    headers: key ? { 'idempotency-key': key } : {},
  });

const refusal2018 = {
  message: 'The action requested is not valid for the current payment state',
  error: 'bad_request',
  status: 400,
  cause: [
    {
      code: 2018,
      description: 'The action requested is not valid for the current payment state',
      data: null,
    },
  ],
};

describe('cancellation: a 503 after an earlier failure', () => {
  it("the retry of a 503 (same key, as Retry-After asks) cancels; it is not answered with the earlier, other key's failure as a replay", async () => {
    const id = payment();
    // 1. Key A: Mercado Pago refuses (2018): recorded failed.
    h.sandbox.status(400, { method: 'PUT', path: `^/v1/payments/${id}$`, body: refusal2018 });
    const first = await cancel(id, 'review-cancel-A');
    expect(first.status).toBe(409);

    // 2. Key B: Mercado Pago rate-limits every try: 503, nothing done, key B freed.
    h.sandbox.status(429, { method: 'PUT', path: `^/v1/payments/${id}$`, times: 3 });
    const second = await cancel(id, 'review-cancel-B');
    expect(second.status).toBe(503);
    expect(second.body.code).toBe('UPSTREAM_UNAVAILABLE');

    // 3. The caller retries key B as told: the payment is still pending and cancellable.
    await h.sandbox.resetFaults();
    h.sandbox.clearRequests();
    const retry = await cancel(id, 'review-cancel-B');
    // Before the fix: 409 PAYMENT_NOT_CANCELLABLE with Idempotent-Replayed: true, and no PUT at all: the failure of
    // key A's request was restored onto a record that now names key B (cancellation.ts not_sent branch), and
    // keyed-request's remembered() path answers it.
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.status).toBe(200);
    expect(h.sandbox.getPayment(id)!.status).toBe('cancelled');
  });
});

describe('cancellation: Mercado Pago keys of sequences', () => {
  const putsOf = (paymentId: string) =>
    h.sandbox.requests({ method: 'PUT', path: new RegExp(`^/v1/payments/${paymentId}$`) });

  it('a new sequence after a failure never reuses the Mercado Pago key of an earlier sequence', async () => {
    const id = payment();
    // Sequence 1 with the caller's key "2" (a valid Idempotency-Key): refused, recorded failed.
    h.sandbox.status(400, { method: 'PUT', path: `^/v1/payments/${id}$`, body: refusal2018 });
    expect((await cancel(id, '2')).status).toBe(409);
    // Sequence 2 without a key: derived from `cancel:<id>` + `:2`, the very string sequence 1 was derived from
    // (`cancel:<id>:` + the caller's key "2"). Mercado Pago would replay sequence 1's refusal for it.
    await cancel(id);
    const keys = putsOf(id).map((p) => p.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).not.toBe(keys[0]);
  });
});

describe('cancellation: a read answering 404 while a cancellation is pending', () => {
  it("is not stored as the key's answer: once the cancellation is done, the key answers 200", async () => {
    const id = payment();
    // A first request leaves the cancellation pending (5xx on every try).
    h.sandbox.status(503, { method: 'PUT', path: `^/v1/payments/${id}$`, times: 3 });
    expect((await cancel(id, 'review-404-first')).status).toBe(202);
    // Another request (its own key) meets one 404 on its read (e.g. a token mix-up during a rotation).
    h.sandbox.status(404, {
      method: 'GET',
      path: `^/v1/payments/${id}$`,
      body: { message: 'Payment not found', error: 'not_found', status: 404, cause: [{ code: 2000 }] },
    });
    const second = await cancel(id, 'review-404-second');
    expect.soft(second.status).not.toBe(404);
    // The payment is then cancelled (by a later request, here without a key).
    await h.sandbox.resetFaults();
    expect((await cancel(id)).status).toBe(200);
    // Before the fix: 404 PAYMENT_NOT_FOUND replayed for the key's whole retention.
    const replay = await cancel(id, 'review-404-second');
    expect(replay.status).toBe(200);
  });
});
