/**
 * The notification processor entry point (functions/notification-processor/handler.ts) as Lambda loads it:
 * configuration checked at cold start, then SQS batches (ReportBatchItemFailures) through the real wiring
 * (environment -> runtime -> processing) against the sandbox and dynalite. Its input is what the webhook
 * entry point enqueues: taken here from the webhook itself, through a fake SQS.
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ACCOUNT_ID, md5Hex, REGION, sqsEvent, sqsRecord } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import { lambdaContext } from '../support/events.ts';
import { type FakeAws, startFakeAws } from '../support/fake-aws.ts';
import type { Harness } from '../support/harness.ts';
import { type HttpApiBridge, startHttpApiBridge } from '../support/http-api-bridge.ts';

type Processor = (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;

const rig = coldStartRig(() => import('../../functions/notification-processor/handler.ts'));
const { withEnv } = rig;
const load = async () => (await rig.load()) as unknown as Processor;
let h: Harness;
let baseEnv: Record<string, string>;
let sqs: FakeAws;
let api: HttpApiBridge;

/** The processor's Lambda timeout (config/timing.ts), as its context says. */
const PROCESSOR_TIMEOUT_MS = 60_000;

beforeAll(async () => {
  h = rig.harness();
  baseEnv = rig.baseEnv();
  h.sandbox.configure({ notificationsEnabled: false });
  sqs = await startFakeAws((call) => ({
    body: { MessageId: randomUUID(), MD5OfMessageBody: md5Hex(call.body.MessageBody) },
  }));
  api = await startHttpApiBridge({ auth: 'none', timeoutMs: 20_000 });
});
afterAll(async () => {
  await api?.close();
  await sqs?.close();
});
beforeEach(async () => {
  sqs.clear();
  await h.sandbox.resetFaults();
  h.sandbox.clearRequests();
  h.clearEvents();
});

const paymentRefundedOutside = (refunded = 10) => {
  const paymentId = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 100 });
  h.sandbox.dashboardRefund(paymentId, refunded);
  h.sandbox.clearRequests();
  return paymentId;
};

/** The message body the webhook entry point (queue mode) puts on the queue for a signed notification. */
const enqueuedByWebhook = async (paymentId: string): Promise<string> => {
  withEnv({
    ...baseEnv,
    MP_WEBHOOK_SECRET: h.sandbox.webhookSecret,
    NOTIFICATION_QUEUE_URL: `${sqs.url}/${ACCOUNT_ID}/mercadopago-notifications`,
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAENTRYPOINTTEST02',
    AWS_SECRET_ACCESS_KEY: 'entry-point-test-secret',
  });
  const webhook = await import('../../functions/webhook/handler.ts');
  api.serve(webhook.handler);
  const [delivery] = await h.sandbox.sendNotification({
    kind: 'signed',
    paymentId,
    url: `${api.url}/webhooks/mercadopago`,
  });
  expect(delivery?.status).toBe(200);
  const [sent] = sqs.calls('AmazonSQS.SendMessage');
  expect(sent).toBeDefined();
  // The processor is another function: its own cold start, its own environment.
  vi.unstubAllEnvs();
  vi.resetModules();
  return sent!.body.MessageBody as string;
};

const paymentReads = (paymentId: string) =>
  h.sandbox.requests({ method: 'GET', path: new RegExp(`^/v1/payments/${paymentId}$`) });

describe('notification processor handler', () => {
  it.each([
    ['MP_ACCESS_TOKEN', ''],
    ['TABLE_NAME', ''],
    ['RESEND_WINDOW_SECONDS', 'ten minutes'],
    ['MP_USER_ID', 'seller-1'],
  ])('cold start fails when %s is %j, naming the variable', async (variable, value) => {
    withEnv({ ...baseEnv, [variable]: value });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable });
  });

  it('processes what the webhook enqueued: the payment is re-read and the outside refund recorded', async () => {
    const paymentId = paymentRefundedOutside(10);
    const body = await enqueuedByWebhook(paymentId);
    expect(paymentReads(paymentId)).toHaveLength(0);

    withEnv(baseEnv);
    const processor = await load();
    const result = await processor(
      sqsEvent(sqsRecord(body, { messageId: 'm-webhook' })),
      lambdaContext(PROCESSOR_TIMEOUT_MS),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(paymentReads(paymentId)).toEqual([expect.objectContaining({ tokenValid: true })]);
    const ledger = await h.ledgers.get(paymentId);
    expect(ledger?.refunds).toEqual([
      expect.objectContaining({ origin: 'external', status: 'succeeded', amountMinor: 1_000 }),
    ]);
    // Its write's outbox, published through the table's stream (the harness's tap).
    expect(h.events()).toEqual([
      expect.objectContaining({
        'detail-type': 'Refund Succeeded',
        detail: expect.objectContaining({
          paymentId,
          refund: expect.objectContaining({ origin: 'external', amount: 10, status: 'succeeded' }),
        }),
      }),
    ]);
  });

  it('reports only the messages that failed: unreadable bodies and a payment Mercado Pago could not give', async () => {
    withEnv(baseEnv);
    const processor = await load();
    const good = paymentRefundedOutside(25);
    const down = paymentRefundedOutside(5);
    h.sandbox.status(503, { method: 'GET', path: `^/v1/payments/${down}$`, times: 10 });
    const work = (id: string) =>
      JSON.stringify({ resource: 'payment', id, via: 'webhook', receivedAt: new Date().toISOString() });

    const result = await processor(
      sqsEvent(
        sqsRecord(work(good), { messageId: 'm-good' }),
        sqsRecord(work(down), { messageId: 'm-down', receiveCount: 2 }),
        sqsRecord('{"resource":"payment","id":"4', { messageId: 'm-truncated' }),
        sqsRecord(JSON.stringify({ resource: 'payment', id: 'not-digits', via: 'webhook' }), {
          messageId: 'm-invalid',
        }),
      ),
      lambdaContext(PROCESSOR_TIMEOUT_MS),
    );

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'm-down',
      'm-invalid',
      'm-truncated',
    ]);
    expect((await h.ledgers.get(good))?.refunds).toEqual([
      expect.objectContaining({ origin: 'external', amountMinor: 2_500 }),
    ]);
    expect(await h.ledgers.get(down)).toBeUndefined();
  });

  it('keeps its margin from the Lambda timeout: with less time left, nothing is started and all is retried', async () => {
    withEnv(baseEnv);
    const processor = await load();
    const paymentId = paymentRefundedOutside(10);
    const work = JSON.stringify({
      resource: 'payment',
      id: paymentId,
      via: 'webhook',
      receivedAt: new Date().toISOString(),
    });
    const result = await processor(sqsEvent(sqsRecord(work, { messageId: 'm-late' })), lambdaContext(4_000));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-late' }] });
    expect(paymentReads(paymentId)).toHaveLength(0);
    expect(await h.ledgers.get(paymentId)).toBeUndefined();
  });
});
