/**
 * The webhook entry point (functions/webhook/handler.ts) as Lambda loads it, behind the public route: the
 * sandbox delivers its notifications, signed as Mercado Pago signs them, over HTTP to an API Gateway stand-in
 * that hands the function the captured no-authorizer event. Without NOTIFICATION_QUEUE_URL the work runs
 * inline; with it, the function's default SQS client sends it to a fake SQS (AWS_ENDPOINT_URL_SQS). With
 * REPORTS_WAKE_QUEUE_URL a report-ready notice wakes the reports job through that queue.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseNotificationWork } from '../../functions/operations/notification-work.ts';
import type { SendNotificationInput } from '../../local/sandbox/index.ts';
import { ACCOUNT_ID, md5Hex, REGION } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import { type FakeAws, type FakeAwsCall, type FakeAwsReply, startFakeAws } from '../support/fake-aws.ts';
import type { Harness } from '../support/harness.ts';
import { type HttpApiBridge, startHttpApiBridge } from '../support/http-api-bridge.ts';

const rig = coldStartRig(() => import('../../functions/webhook/handler.ts'));
const { withEnv, load } = rig;
let h: Harness;
let baseEnv: Record<string, string>;
let api: HttpApiBridge;
let sqs: FakeAws;

const SEND_MESSAGE = 'AmazonSQS.SendMessage';
/** What SQS answers a SendMessage: the SDK checks MD5OfMessageBody against the body it sent. */
const acceptMessage = (call: FakeAwsCall): FakeAwsReply =>
  call.target === SEND_MESSAGE
    ? { body: { MessageId: randomUUID(), MD5OfMessageBody: md5Hex(call.body.MessageBody) } }
    : { status: 400, body: { __type: 'com.amazon.coral.service#UnknownOperationException' } };

beforeAll(async () => {
  h = rig.harness();
  baseEnv = rig.baseEnv();
  h.sandbox.configure({ notificationsEnabled: false });
  api = await startHttpApiBridge({ auth: 'none', timeoutMs: 20_000 });
  sqs = await startFakeAws(acceptMessage);
});
afterAll(async () => {
  await api?.close();
  await sqs?.close();
});
beforeEach(() => {
  api.clear();
  sqs.clear();
  sqs.answer(acceptMessage);
  h.sandbox.clearRequests();
});

/** Loads the handler (a cold start) behind the API stand-in. */
const serve = async (env: Record<string, string>) => {
  withEnv(env);
  api.serve(await load());
};

type PaymentNotification = Omit<Extract<SendNotificationInput, { paymentId: string }>, 'paymentId' | 'url'>;
const deliver = (paymentId: string, input: PaymentNotification) =>
  h.sandbox.sendNotification({ ...input, paymentId, url: `${api.url}/webhooks/mercadopago` });

/** Calls the sandbox got on its Mercado Pago API (not its controls). */
const mercadoPagoCalls = () => h.sandbox.requests().filter((r) => !r.path.startsWith('/__sandbox'));

/** An approved payment with a refund made in Mercado Pago's panel: what a notification brings in. */
const paymentRefundedOutside = () => {
  const paymentId = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 100 });
  h.sandbox.dashboardRefund(paymentId, 10);
  h.sandbox.clearRequests();
  return paymentId;
};

describe('webhook handler, inline (no NOTIFICATION_QUEUE_URL)', () => {
  const inlineEnv = () => ({
    ...baseEnv,
    // A rotation: the previous secret first, Mercado Pago's current one second.
    MP_WEBHOOK_SECRET: `previous-secret,${h.sandbox.webhookSecret}`,
  });

  it.each([
    ['WEBHOOK_TOLERANCE_SECONDS', 'five minutes'],
    ['MP_WEBHOOK_SECRET_ARN', 'not-an-arn'],
    ['NOTIFICATION_QUEUE_URL', 'sqs://queue'],
    ['REPORTS_WAKE_QUEUE_URL', 'reports-wake'],
    ['MP_ACCESS_TOKEN', ''],
  ])('cold start fails when %s is %j, naming the variable', async (variable, value) => {
    withEnv({ ...inlineEnv(), [variable]: value });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable });
  });

  it('a negative WEBHOOK_TOLERANCE_SECONDS is told to be non-negative, not merely whole', async () => {
    withEnv({ ...inlineEnv(), WEBHOOK_TOLERANCE_SECONDS: '-1' });
    await expect(load()).rejects.toMatchObject({
      name: 'ConfigError',
      variable: 'WEBHOOK_TOLERANCE_SECONDS',
      message: expect.stringContaining('must be a non-negative whole number, got "-1"'),
    });
  });

  it('processes a signed payment notification before answering 200, once', async () => {
    await serve(inlineEnv());
    const paymentId = paymentRefundedOutside();

    const deliveries = await deliver(paymentId, { kind: 'signed', duplicate: 1 });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(api.answers().map((a) => a.body)).toEqual([{ status: 'processed' }, { status: 'duplicate' }]);

    // Re-read once at the configured Mercado Pago with our token, and the refund made outside recorded.
    expect(mercadoPagoCalls()).toEqual([
      expect.objectContaining({ method: 'GET', path: `/v1/payments/${paymentId}`, tokenValid: true }),
    ]);
    const ledger = await h.ledgers.get(paymentId);
    expect(ledger?.refunds).toEqual([
      expect.objectContaining({ origin: 'external', status: 'succeeded', amountMinor: 1_000 }),
    ]);
  });

  it.each([
    ['forged', 'signed with another secret'],
    ['unsigned', 'without x-signature'],
    ['stale', 'signed an hour ago'],
  ] as const)('refuses a %s notification (%s) with 401, reading and writing nothing', async (kind, _how) => {
    await serve(inlineEnv());
    const paymentId = paymentRefundedOutside();

    const [delivery] = await deliver(paymentId, { kind });
    expect(delivery?.status).toBe(401);
    const [answer] = api.answers();
    expect(answer?.headers['content-type']).toBe('application/problem+json');
    expect(answer?.body).toMatchObject({ status: 401, code: 'INVALID_SIGNATURE' });
    expect(mercadoPagoCalls()).toEqual([]);
    expect(await h.ledgers.get(paymentId)).toBeUndefined();
  });

  it('takes WEBHOOK_TOLERANCE_SECONDS from the environment', async () => {
    await serve({ ...inlineEnv(), WEBHOOK_TOLERANCE_SECONDS: '7200' });
    const paymentId = paymentRefundedOutside();
    const [delivery] = await deliver(paymentId, { kind: 'stale' });
    expect(delivery?.status).toBe(200);
    expect(api.answers()[0]?.body).toEqual({ status: 'processed' });
  });

  it('acknowledges, and does nothing with, a notification for another seller than MP_USER_ID', async () => {
    await serve({ ...inlineEnv(), MP_USER_ID: '987654321' });
    const paymentId = paymentRefundedOutside();
    const [delivery] = await deliver(paymentId, { kind: 'signed' });
    expect(delivery?.status).toBe(200);
    expect(api.answers()[0]?.body).toEqual({ status: 'ignored' });
    expect(mercadoPagoCalls()).toEqual([]);
  });
});

describe('webhook handler, queue mode (NOTIFICATION_QUEUE_URL)', () => {
  const FAKE_KEY_ID = 'AKIAENTRYPOINTTEST01';
  const queueUrl = () => `${sqs.url}/${ACCOUNT_ID}/mercadopago-notifications`;
  const queueEnv = () => ({
    ...baseEnv,
    MP_WEBHOOK_SECRET: h.sandbox.webhookSecret,
    NOTIFICATION_QUEUE_URL: queueUrl(),
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: FAKE_KEY_ID,
    AWS_SECRET_ACCESS_KEY: 'entry-point-test-secret',
  });

  it('verifies, then enqueues the notification work (and reads nothing) before answering 200', async () => {
    // It calls no Mercado Pago, so it needs no token.
    await serve({ ...queueEnv(), MP_ACCESS_TOKEN: '' });
    const paymentId = paymentRefundedOutside();

    const deliveries = await deliver(paymentId, { kind: 'signed', duplicate: 1 });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
    expect(api.answers().map((a) => a.body)).toEqual([{ status: 'queued' }, { status: 'duplicate' }]);

    const sent = sqs.calls(SEND_MESSAGE);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.QueueUrl).toBe(queueUrl());
    expect(parseNotificationWork(sent[0]!.body.MessageBody)).toEqual({
      resource: 'payment',
      id: paymentId,
      via: 'webhook',
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      requestId: deliveries[0]!.requestId,
    });
    // Signed by the default credential chain (environment) for the configured region.
    expect(sent[0]!.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(sent[0]!.headers.authorization).toContain(`Credential=${FAKE_KEY_ID}/`);
    expect(sent[0]!.headers.authorization).toContain(`/${REGION}/sqs/aws4_request`);

    expect(mercadoPagoCalls()).toEqual([]);
    expect(await h.ledgers.get(paymentId)).toBeUndefined();
  });

  it('refuses a forged notification with 401 and enqueues nothing', async () => {
    await serve(queueEnv());
    const paymentId = paymentRefundedOutside();
    const [delivery] = await deliver(paymentId, { kind: 'forged' });
    expect(delivery?.status).toBe(401);
    expect(sqs.calls()).toEqual([]);
  });

  it('does not acknowledge a message SQS did not confirm (MD5 mismatch): the retry is enqueued', async () => {
    await serve(queueEnv());
    const paymentId = paymentRefundedOutside();
    let answered = 0;
    sqs.answer((call) => {
      answered++;
      const reply = acceptMessage(call);
      return answered === 1
        ? { body: { ...(reply.body as object), MD5OfMessageBody: md5Hex('another body') } }
        : reply;
    });

    // Mercado Pago's retry carries the same x-request-id (a duplicate copy here).
    const deliveries = await deliver(paymentId, { kind: 'signed', duplicate: 1 });
    expect(deliveries[0]!.status).toBeGreaterThanOrEqual(500);
    expect(deliveries[1]!.status).toBe(200);
    expect(api.answers()[1]?.body).toEqual({ status: 'queued' });
    const works = sqs.calls(SEND_MESSAGE).map((call) => parseNotificationWork(call.body.MessageBody));
    expect(works).toHaveLength(2);
    expect(works.map((w) => [w?.id, w?.requestId])).toEqual([
      [paymentId, deliveries[0]!.requestId],
      [paymentId, deliveries[0]!.requestId],
    ]);
  });

  it('wakes the reports job on a report-ready notice (REPORTS_WAKE_QUEUE_URL), at most once per 10 seconds', async () => {
    const wakeUrl = `${sqs.url}/${ACCOUNT_ID}/mercadopago-reports-wake`;
    await serve({ ...queueEnv(), REPORTS_WAKE_QUEUE_URL: wakeUrl });
    // Mercado Pago's report-ready notice: unsigned, no query.
    const notice = async (transactionId: string) => {
      const response = await fetch(`${api.url}/webhooks/mercadopago`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          transaction_id: transactionId,
          request_date: new Date().toISOString(),
          generation_date: new Date().toISOString(),
          files: [{ type: 'csv', url: 'https://example.com/r.csv', name: 'settlement.csv' }],
        }),
      });
      return { status: response.status, body: await response.json() };
    };
    expect(await notice('1001')).toEqual({ status: 200, body: { status: 'queued' } });
    // The next one within 10 seconds is acknowledged without a message.
    expect(await notice('1002')).toEqual({ status: 200, body: { status: 'rate_limited' } });

    const sent = sqs.calls(SEND_MESSAGE);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.QueueUrl).toBe(wakeUrl);
    expect(JSON.parse(sent[0]!.body.MessageBody)).toMatchObject({ wake: 'reports' });
    expect(mercadoPagoCalls()).toEqual([]);
  });
});
