/**
 * The event publisher entry point (functions/event-publisher/handler.ts) as Lambda loads it: EVENT_BUS_NAME
 * checked at cold start, then DynamoDB stream batches (NEW_IMAGE) of real ledger writes through its default
 * EventBridge client, pointed at a fake EventBridge (AWS_ENDPOINT_URL_EVENTBRIDGE). What it puts on the bus
 * is what the local forwarder (the harness's stream tap) published from the same writes.
 */
import { randomUUID } from 'node:crypto';
import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refundApi } from '../refunds/support.ts';
import { REGION, streamEvent, streamRecord } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import { lambdaContext } from '../support/events.ts';
import { type FakeAws, type FakeAwsCall, type FakeAwsReply, startFakeAws } from '../support/fake-aws.ts';
import type { Harness } from '../support/harness.ts';

type Publisher = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const rig = coldStartRig(() => import('../../functions/event-publisher/handler.ts'));
const { withEnv } = rig;
const load = async () => (await rig.load()) as unknown as Publisher;
let h: Harness;
let bus: FakeAws;

const PUT_EVENTS = 'AWSEvents.PutEvents';
const BUS_NAME = 'mercadopago-refunds-bus';
const FAKE_KEY_ID = 'AKIAENTRYPOINTTEST03';

/** EventBridge's answer: every entry accepted, except those `refuse` names (an error entry each). */
const putEventsReply =
  (refuse: (entry: any) => boolean = () => false) =>
  (call: FakeAwsCall): FakeAwsReply => {
    if (call.target !== PUT_EVENTS) return { status: 400, body: { __type: 'UnknownOperationException' } };
    const entries: any[] = call.body.Entries;
    return {
      body: {
        FailedEntryCount: entries.filter(refuse).length,
        Entries: entries.map((entry) =>
          refuse(entry)
            ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
            : { EventId: randomUUID() },
        ),
      },
    };
  };

beforeAll(async () => {
  h = rig.harness();
  h.sandbox.configure({ notificationsEnabled: false });
  bus = await startFakeAws(putEventsReply());
});
afterAll(async () => {
  // The client of the last cold start (the registry is reset before each test, not after the last).
  const { defaultEventBridgeClient } = await import('../../functions/adapters/eventbridge.ts');
  defaultEventBridgeClient().destroy();
  await bus?.close();
});
beforeEach(() => {
  bus.clear();
  bus.answer(putEventsReply());
});

/** Only what the event publisher reads: no table, no Mercado Pago. */
const publisherEnv = () => ({
  EVENT_BUS_NAME: BUS_NAME,
  AWS_ENDPOINT_URL_EVENTBRIDGE: bus.url,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: FAKE_KEY_ID,
  AWS_SECRET_ACCESS_KEY: 'entry-point-test-secret',
  LOG_LEVEL: 'error',
});

/** The ledger item as the table holds it after a write (every attribute, the outbox included). */
const storedItem = async (pk: string): Promise<Record<string, AttributeValue>> => {
  const { Item } = await h.dynamo.send(
    new GetItemCommand({
      TableName: h.tableName,
      Key: { pk: { S: pk }, sk: { S: 'LEDGER' } },
      ConsistentRead: true,
    }),
  );
  if (!Item) throw new Error(`no item ${pk}`);
  return Item;
};

/** Two writes of one ledger: a full refund (Refund Succeeded), then the status change a read records. */
const twoLedgerWrites = async () => {
  const paymentId = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 50 });
  h.clearEvents();
  const api = refundApi(h);
  expect((await api.refund(paymentId, {})).status).toBe(201);
  const afterRefund = await storedItem(`PAYMENT#${paymentId}`);
  expect((await api.list(paymentId)).status).toBe(200);
  const afterRead = await storedItem(`PAYMENT#${paymentId}`);
  const published = h.events();
  expect(published.map((e) => e['detail-type'])).toEqual(['Refund Succeeded', 'Payment Status Changed']);
  return { paymentId, afterRefund, afterRead, published };
};

describe('event publisher handler', () => {
  it('cold start fails without EVENT_BUS_NAME, naming it', async () => {
    withEnv({ ...publisherEnv(), EVENT_BUS_NAME: '' });
    await expect(load()).rejects.toMatchObject({ name: 'ConfigError', variable: 'EVENT_BUS_NAME' });
  });

  it('puts the events each write stored on the bus: what the local forwarder published, same eventIds', async () => {
    const { afterRefund, afterRead, published } = await twoLedgerWrites();
    withEnv(publisherEnv());
    const publish = await load();

    const result = await publish(
      streamEvent(
        streamRecord(h.tableName, afterRefund, '100000000000000000001', 'INSERT'),
        streamRecord(h.tableName, afterRead, '100000000000000000002'),
      ),
      lambdaContext(30_000),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    const calls = bus.calls(PUT_EVENTS);
    expect(calls).toHaveLength(1);
    const entries: any[] = calls[0]!.body.Entries;
    expect(entries.map((entry) => entry.EventBusName)).toEqual([BUS_NAME, BUS_NAME]);
    expect(
      entries.map((entry) => ({
        source: entry.Source,
        'detail-type': entry.DetailType,
        detail: JSON.parse(entry.Detail),
      })),
    ).toEqual(
      published.map((e) => ({ source: e.source, 'detail-type': e['detail-type'], detail: e.detail })),
    );
    // AWS JSON 1.1, signed by the default credential chain (environment) for the configured region.
    expect(calls[0]!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(calls[0]!.headers.authorization).toContain(`Credential=${FAKE_KEY_ID}/`);
    expect(calls[0]!.headers.authorization).toContain(`/${REGION}/events/aws4_request`);
  });

  it('reports the record whose event the bus kept refusing, by its SequenceNumber', async () => {
    const { afterRefund, afterRead } = await twoLedgerWrites();
    withEnv(publisherEnv());
    const publish = await load();
    bus.answer(putEventsReply((entry) => entry.DetailType === 'Payment Status Changed'));

    const result = await publish(
      streamEvent(
        streamRecord(h.tableName, afterRefund, '200000000000000000001', 'INSERT'),
        streamRecord(h.tableName, afterRead, '200000000000000000002'),
      ),
      lambdaContext(30_000),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: '200000000000000000002' }] });
    // The refused entry alone was tried again, within the call.
    const calls = bus.calls(PUT_EVENTS).map((call) => call.body.Entries.map((e: any) => e.DetailType));
    expect(calls[0]).toEqual(['Refund Succeeded', 'Payment Status Changed']);
    expect(calls.slice(1).length).toBeGreaterThan(0);
    expect(calls.slice(1).every((entries) => entries.join() === 'Payment Status Changed')).toBe(true);
  });

  it('publishes nothing for writes that stored no outbox, or deletions', async () => {
    const { afterRead } = await twoLedgerWrites();
    withEnv(publisherEnv());
    const publish = await load();
    const { outbox: _outbox, ...withoutOutbox } = afterRead;
    const deletion = streamRecord(h.tableName, afterRead, '300000000000000000002');
    deletion.eventName = 'REMOVE';
    delete deletion.dynamodb!.NewImage;

    const result = await publish(
      streamEvent(streamRecord(h.tableName, withoutOutbox, '300000000000000000001'), deletion),
      lambdaContext(30_000),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(bus.calls()).toEqual([]);
  });
});
