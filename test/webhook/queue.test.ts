/**
 * AWS mode: the webhook verifies, dedupes and enqueues (nothing is lost when SQS fails: not marked done, so
 * Mercado Pago's retry is accepted), and the processor consumes with partial batch failures. A report-ready
 * notice wakes the reports job through its own queue, at most once per 10 seconds.
 */
import type { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { processBatch } from '../../functions/notification-processor/process-batch.ts';
import { parseNotificationWork } from '../../functions/operations/notification-work.ts';
import { queueDispatch, queueReportsWake } from '../../functions/webhook/enqueue.ts';
import { webhookRoutes } from '../../functions/webhook/routes.ts';
import { signatureHeader } from '../../local/sandbox/index.ts';
import { invoke, type LambdaLike } from '../support/harness.ts';
import { approvedPayment, paymentReads, type Rig, silentLogger, startRig, WEBHOOK_PATH } from './rig.ts';

let rig: Rig;
let sent: SendMessageCommand[];
let sqsDown = false;
let webhook: LambdaLike;
/** The webhook with a wake queue for the reports job, on the rig's movable clock (the hint window). */
let webhookWithWake: LambdaLike;
/** The webhook as locally: no wake queue. */
let webhookWithoutWake: LambdaLike;
const WAKE_QUEUE_URL = 'https://sqs.local/reports-wake';

beforeAll(async () => {
  rig = await startRig();
  const sender = {
    async send(command: SendMessageCommand) {
      if (sqsDown) throw Object.assign(new Error('SQS unavailable'), { name: 'ServiceUnavailable' });
      sent.push(command);
      return {};
    },
  };
  const deps = {
    ...rig.webhookDeps,
    dispatch: queueDispatch('https://sqs.local/queue', rig.webhookDeps.clock, sender),
  };
  webhook = createHttpHandler(
    webhookRoutes(async () => deps),
    { logger: silentLogger },
  );
  const wakeDeps = {
    ...deps,
    clock: rig.clock,
    wakeReports: queueReportsWake(WAKE_QUEUE_URL, rig.clock, sender),
  };
  webhookWithWake = createHttpHandler(
    webhookRoutes(async () => wakeDeps),
    { logger: silentLogger },
  );
  webhookWithoutWake = createHttpHandler(
    webhookRoutes(async () => ({ ...deps, clock: rig.clock })),
    { logger: silentLogger },
  );
});

afterAll(async () => {
  await rig?.close();
});

beforeEach(async () => {
  await rig.reset();
  sent = [];
  sqsDown = false;
});

const deliver = (paymentId: string, requestId: string) =>
  invoke(webhook, {
    method: 'POST',
    path: `${WEBHOOK_PATH}?data.id=${paymentId}&type=payment`,
    body: { id: 5, type: 'payment', action: 'payment.updated', data: { id: paymentId } },
    headers: {
      'x-request-id': requestId,
      'x-signature': signatureHeader(
        rig.h.sandbox.webhookSecret,
        paymentId,
        requestId,
        String(Math.floor(Date.now() / 1000)),
      ),
    },
  });

const record = (messageId: string, body: string): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.now()),
    SenderId: 'x',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
  awsRegion: 'us-east-1',
});

describe('the webhook in AWS', () => {
  it('enqueues accepted work without calling Mercado Pago, once per notification', async () => {
    const paymentId = approvedPayment(rig);
    const first = await deliver(paymentId, 'req-1');
    const again = await deliver(paymentId, 'req-1');
    expect([first.body.status, again.body.status]).toEqual(['queued', 'duplicate']);
    expect(rig.h.sandbox.requests()).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input.QueueUrl).toBe('https://sqs.local/queue');
    expect(parseNotificationWork(sent[0]!.input.MessageBody!)).toMatchObject({
      resource: 'payment',
      id: paymentId,
      via: 'webhook',
      requestId: 'req-1',
    });
  });

  it("answers 503 with Retry-After when SQS fails, and accepts Mercado Pago's retry of the same notification", async () => {
    const paymentId = approvedPayment(rig);
    sqsDown = true;
    const failed = await deliver(paymentId, 'req-2');
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(failed.headers['retry-after']).toBe('15');
    sqsDown = false;
    const retry = await deliver(paymentId, 'req-2');
    expect(retry).toMatchObject({ status: 200, body: { status: 'queued' } });
    expect(sent).toHaveLength(1);
  });
});

/** Mercado Pago's report-ready notice (unsigned, no query). */
const reportNotice = (handler: LambdaLike, transactionId: string) =>
  invoke(handler, {
    method: 'POST',
    path: WEBHOOK_PATH,
    body: {
      transaction_id: transactionId,
      request_date: new Date().toISOString(),
      generation_date: new Date().toISOString(),
      files: [{ type: 'csv', url: 'https://example.com/report.csv', name: 'settlement-report.csv' }],
      status: 'enabled',
      creation_type: 'schedule',
    },
  });

describe('a report-ready notice', () => {
  it('wakes the reports job with one message on its queue, at most once per 10 seconds', async () => {
    const first = await reportNotice(webhookWithWake, '111');
    expect(first).toMatchObject({ status: 200, body: { status: 'queued' } });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.input.QueueUrl).toBe(WAKE_QUEUE_URL);
    expect(JSON.parse(sent[0]!.input.MessageBody!)).toEqual({
      wake: 'reports',
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });

    // Another within 10 seconds (the same file's duplicate, or another file's): acknowledged, not sent.
    rig.clock.advance(9_000);
    const second = await reportNotice(webhookWithWake, '222');
    expect(second).toMatchObject({ status: 200, body: { status: 'rate_limited' } });
    expect(sent).toHaveLength(1);

    // After the window, a notice wakes it again.
    rig.clock.advance(1_500);
    const third = await reportNotice(webhookWithWake, '333');
    expect(third).toMatchObject({ status: 200, body: { status: 'queued' } });
    expect(sent).toHaveLength(2);
    // Nothing read at Mercado Pago: the job lists the reports with its own token.
    expect(rig.h.sandbox.requests()).toEqual([]);
  });

  it('answers 503 with Retry-After when SQS fails, as the notification queue does', async () => {
    sqsDown = true;
    const failed = await reportNotice(webhookWithWake, '444');
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(failed.headers['retry-after']).toBe('15');
    expect(sent).toEqual([]);
  });

  it('without a wake queue (locally), is acknowledged only', async () => {
    const answer = await reportNotice(webhookWithoutWake, '555');
    expect(answer).toMatchObject({ status: 200, body: { status: 'ignored' } });
    expect(sent).toEqual([]);
    expect(rig.h.sandbox.requests()).toEqual([]);
  });
});

describe('the notification processor', () => {
  it('reports only the messages that failed, and processes the others', async () => {
    const good = approvedPayment(rig);
    rig.h.sandbox.dashboardRefund(good, 10);
    const down = approvedPayment(rig);
    rig.h.sandbox.status(503, { method: 'GET', path: `^/v1/payments/${down}$`, times: 10 });
    const work = (id: string) =>
      JSON.stringify({ resource: 'payment', id, via: 'webhook', receivedAt: new Date().toISOString() });
    const event: SQSEvent = {
      Records: [
        record('m-good', work(good)),
        record('m-down', work(down)),
        record('m-garbage', '{"resource":"payment","id":"x'),
        record('m-other', '{}'),
      ],
    };
    const result = await processBatch(rig.processing, event, {
      log: silentLogger,
      deadline: Date.now() + 20_000,
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'm-down',
      'm-garbage',
      'm-other',
    ]);
    expect((await rig.h.ledgers.get(good))?.refunds).toHaveLength(1);
    expect(paymentReads(rig, good)).toHaveLength(1);
    expect(rig.events()).toHaveLength(1);
  });
});
