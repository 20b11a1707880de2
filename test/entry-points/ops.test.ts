/**
 * The operations entry point (functions/ops/handler.ts) as Lambda loads it: configuration checked at cold
 * start, then API Gateway's captured events (IAM and JWT) through the real wiring (environment -> runtime ->
 * routes) against the sandbox and dynalite; the dead-letter queue counted with the default SQS client pointed
 * at a fake SQS (AWS_ENDPOINT_URL_SQS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caller, MERCADOPAGO } from '../../functions/model/actor.ts';
import { isoAt } from '../../functions/model/clock.ts';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import { recordRefundCall } from '../../functions/model/ledger/refund-call.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import { DEFAULT_SETTLEMENT_SETTINGS, type RuleContext } from '../../functions/model/settings.ts';
import { callHttp, httpApiEvent, REGION, templateCaller } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import { type FakeAws, startFakeAws } from '../support/fake-aws.ts';
import type { Harness } from '../support/harness.ts';

const rig = coldStartRig(() => import('../../functions/ops/handler.ts'));
const { withEnv, load } = rig;
let h: Harness;
let baseEnv: Record<string, string>;
let sqs: FakeAws;

beforeAll(async () => {
  h = rig.harness();
  baseEnv = { ...rig.baseEnv(), ATTENTION_AFTER_SECONDS: '60' };
  sqs = await startFakeAws(() => ({ body: { Attributes: { ApproximateNumberOfMessages: '4' } } }));
});
afterAll(async () => {
  await sqs?.close();
});

const MINUTE = 60_000;
const contextAt = (ms: number, by = MERCADOPAGO): RuleContext => ({
  now: isoAt(Date.now() + ms),
  by,
  newRefundId: () => `rf_${Math.random().toString(36).slice(2)}`,
  settings: DEFAULT_SETTLEMENT_SETTINGS,
});

/** A payment whose refund's call ended unknown 20 minutes ago: past its window, Mercado Pago made nothing. */
const stuck = async () => {
  const paymentId = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 50 });
  const facts = await h.mercadoPago.getPayment(paymentId);
  const read = applyPaymentRead(
    undefined,
    { facts, at: contextAt(-20 * MINUTE).now },
    contextAt(-20 * MINUTE),
  );
  let ledger = read.ledger as Ledger;
  const reserved = reserveRefund(
    ledger,
    {
      refundId: 'rf_entry',
      amount: 1_500,
      idempotencyKey: 'k-entry',
      fingerprint: 'fp',
      lockUntil: contextAt(-19 * MINUTE).now,
    },
    { windowDays: 90, approvedAt: null },
    contextAt(-20 * MINUTE, caller('merchant')),
  );
  ledger = reserved.ledger as Ledger;
  ledger = recordRefundCall(
    ledger,
    'rf_entry',
    1,
    { kind: 'unknown', detail: 'lost' },
    contextAt(-19 * MINUTE),
  ).ledger as Ledger;
  expect(await h.ledgers.save({ ...ledger, version: 0 })).not.toBeNull();
  return paymentId;
};

describe('ops handler', () => {
  it.each([
    ['ATTENTION_AFTER_SECONDS', 'a day'],
    ['NOTIFICATION_DLQ_URL', 'not a url'],
    ['MP_ACCESS_TOKEN', ''],
    ['TABLE_NAME', ''],
  ])('cold start fails when %s is %j, naming the variable', async (variable, value) => {
    withEnv({ ...baseEnv, [variable]: value });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable });
  });

  it('lists, tells the story, and records a decision with the caller who made it (IAM and JWT)', async () => {
    withEnv(baseEnv);
    const handler = await load();
    const paymentId = await stuck();
    const listed = await callHttp(handler, httpApiEvent('iam', { method: 'GET', path: '/ops/attention' }));
    expect(listed.status).toBe(200);
    expect(listed.headers['x-request-id']).toEqual(expect.any(String));
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ kind: 'refund_pending_too_long', paymentId, refundId: 'rf_entry' }),
    );
    const history = await callHttp(
      handler,
      httpApiEvent('jwt', { method: 'GET', path: `/payments/${paymentId}/history` }),
    );
    expect(history).toMatchObject({ status: 200, body: { paymentId } });
    const decided = await callHttp(
      handler,
      httpApiEvent('iam', {
        method: 'POST',
        path: `/payments/${paymentId}/refunds/rf_entry/resolution`,
        body: { outcome: 'failed', note: 'nothing in the panel' },
        headers: { 'Idempotency-Key': 'entry-point-resolution-1' },
      }),
    );
    expect(decided).toMatchObject({
      status: 200,
      body: { status: 'failed', resolution: { by: `person:${templateCaller('iam')}` } },
    });
  });

  it('counts the dead letters with the default SQS client, in AWS', async () => {
    withEnv({
      ...baseEnv,
      NOTIFICATION_DLQ_URL: `${sqs.url}/123456789012/notifications-dlq`,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'AKIAENTRYPOINTTEST',
      AWS_SECRET_ACCESS_KEY: 'entry-point-test-secret',
    });
    const handler = await load();
    const listed = await callHttp(handler, httpApiEvent('iam', { method: 'GET', path: '/ops/attention' }));
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ kind: 'dead_letters', queue: 'notifications-dlq' }),
    );
    expect(sqs.calls('AmazonSQS.GetQueueAttributes')).toHaveLength(1);
  });
});
