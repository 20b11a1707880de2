/**
 * Events out leave only through the written items' outboxes: event-publisher puts them on the bus from the
 * stream's NEW_IMAGE (AWS), and locally the stream tap hands each write's new image to the same code. The
 * bus gets exactly what the local forwarder published, with the same eventIds; refused entries fail their
 * record; writes without events, other items and deletions publish nothing.
 */
import { type AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKey } from '../../functions/adapters/dynamodb/ledger-store.ts';
import { type PutEventsSender, putEvents } from '../../functions/adapters/eventbridge.ts';
import { publishOutboxes, type SendEvents } from '../../functions/event-publisher/publish-outboxes.ts';
import { DetailType, type EventEnvelope } from '../../functions/model/events/types.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import { startEmbeddedDynamoDb } from '../../local/dynamodb.ts';
import { startStreamTap } from '../../local/stream-tap.ts';
import { daysAgo, refundApi } from '../refunds/support.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const approved = (amount = 100) =>
  h.sandbox.createPayment({ status: 'approved', currency: 'BRL', amount, dateApproved: daysAgo(1) });

/** The ledger item as stored, every attribute. */
const rawItem = async (paymentId: string): Promise<Record<string, AttributeValue>> => {
  const { Item } = await h.dynamo.send(
    new GetItemCommand({ TableName: h.tableName, Key: ledgerKey(paymentId), ConsistentRead: true }),
  );
  if (!Item) throw new Error(`no ledger item for ${paymentId}`);
  return Item;
};

/** The stream record DynamoDB writes for an item (view type NEW_IMAGE). */
const streamRecord = (item: Record<string, AttributeValue> | undefined, sequence: number): DynamoDBRecord => {
  const image = item as Record<string, StreamAttributeValue> | undefined;
  return {
    eventID: `event-${sequence}`,
    eventName: image ? 'MODIFY' : 'REMOVE',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: { pk: { S: 'PAYMENT#1' }, sk: { S: 'LEDGER' } },
      ...(image ? { NewImage: image } : {}),
      SequenceNumber: String(sequence),
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
  };
};

const streamOf = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

/** A bus that records the entries it accepts; `refuse` says which it answers with an error entry. */
const bus = (refuse: (entry: PutEventsRequestEntry) => boolean = () => false) => {
  const accepted: PutEventsRequestEntry[] = [];
  let calls = 0;
  const sender: PutEventsSender = {
    async send(command) {
      calls++;
      const entries = command.input.Entries ?? [];
      for (const entry of entries) if (!refuse(entry)) accepted.push(entry);
      return {
        FailedEntryCount: entries.filter(refuse).length,
        Entries: entries.map((entry) => (refuse(entry) ? { ErrorCode: 'InternalFailure' } : {})),
      };
    },
  };
  const send: SendEvents = (events) => putEvents(sender, 'the-bus', events);
  return { accepted, send, calls: () => calls };
};

/** What the bus got, in the envelope a rule's target receives. */
const asEnvelope = (entry: PutEventsRequestEntry): EventEnvelope =>
  ({
    source: entry.Source,
    'detail-type': entry.DetailType,
    time: entry.Time?.toISOString(),
    detail: JSON.parse(entry.Detail ?? '{}'),
  }) as EventEnvelope;

/** A full refund (Refund Succeeded) then the payment's status change it causes (Payment Status Changed). */
const refundThenStatusChange = async () => {
  const paymentId = approved(100);
  h.clearEvents();
  const api = refundApi(h);
  expect((await api.refund(paymentId, {})).status).toBe(201);
  const afterRefund = await rawItem(paymentId);
  await api.list(paymentId);
  const afterStatusChange = await rawItem(paymentId);
  return { paymentId, afterRefund, afterStatusChange, published: h.events() };
};

describe('event-publisher', () => {
  it('puts on the bus exactly what the local forwarder published from the same writes, same eventIds', async () => {
    const { afterRefund, afterStatusChange, published } = await refundThenStatusChange();
    expect(published.map((e) => e['detail-type'])).toEqual([
      DetailType.RefundSucceeded,
      DetailType.PaymentStatusChanged,
    ]);
    const { accepted, send } = bus();
    const response = await publishOutboxes(
      send,
      streamOf(streamRecord(afterRefund, 100), streamRecord(afterStatusChange, 101)),
      quietLogger,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(accepted.map(asEnvelope)).toEqual(published);
    expect(
      accepted.every((entry) => entry.EventBusName === 'the-bus' && entry.Source === 'mercadopago-refunds'),
    ).toBe(true);
  });

  it('reports the record whose events the bus refused, by its SequenceNumber, and logs them whole', async () => {
    const { afterRefund, afterStatusChange } = await refundThenStatusChange();
    const { accepted, send } = bus((entry) => entry.DetailType === DetailType.PaymentStatusChanged);
    const lines: string[] = [];
    const log = createLogger({ sink: (line) => lines.push(line) });
    const response = await publishOutboxes(
      send,
      streamOf(streamRecord(afterRefund, 200), streamRecord(afterStatusChange, 201)),
      log,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '201' }] });
    expect(accepted.map((entry) => entry.DetailType)).toEqual([DetailType.RefundSucceeded]);
    const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'warn');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'event not published yet: its stream record will be retried',
        sequenceNumber: '201',
        reason: 'InternalFailure',
        event: expect.objectContaining({ 'detail-type': DetailType.PaymentStatusChanged }),
      }),
    ]);

    const down: SendEvents = (events) =>
      putEvents({ send: () => Promise.reject(new Error('network down')) }, 'the-bus', events);
    expect(
      await publishOutboxes(
        down,
        streamOf(streamRecord(afterRefund, 300), streamRecord(afterStatusChange, 301)),
        quietLogger,
      ),
    ).toEqual({ batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '301' }] });
  });

  it('skips writes without events, items without an outbox and deletions; fails a record whose outbox is unreadable', async () => {
    const paymentId = approved(50);
    h.sandbox.dashboardRefund(paymentId, 10);
    await refundApi(h).list(paymentId);
    // A later write that makes no event (as a reconciliation schedule does) stores no outbox.
    const ledger = await h.ledgers.get(paymentId);
    await h.ledgers.save({ ...ledger!, updatedAt: new Date().toISOString() });
    const withoutEvents = await rawItem(paymentId);
    expect(withoutEvents.outbox).toBeUndefined();
    const idempotencyItem = { pk: { S: 'IDEMPOTENCY#k' }, sk: { S: 'KEY' } };

    const { accepted, send, calls } = bus();
    const response = await publishOutboxes(
      send,
      streamOf(
        streamRecord(withoutEvents, 1),
        streamRecord(idempotencyItem, 2),
        streamRecord(undefined, 3),
        streamRecord({ ...withoutEvents, outbox: { S: '[{"not":"an event"}]' } }, 4),
      ),
      quietLogger,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '4' }] });
    expect(calls()).toBe(0);
    expect(accepted).toEqual([]);
  });
});

describe('the local stream tap', () => {
  it('hands the new image of an UpdateItem that writes an outbox, and answers the caller as it asked', async () => {
    const db = await startEmbeddedDynamoDb({});
    const seen: DynamoDBRecord[] = [];
    const tap = await startStreamTap({
      target: db.endpoint,
      consume: async (records) => {
        seen.push(...records);
        return [];
      },
      log: quietLogger,
    });
    const { DynamoDBClient, CreateTableCommand } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: tap.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'tap',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      const answer = await client.send(
        new UpdateItemCommand({
          TableName: 'tap',
          Key: { pk: { S: 'QR_ORDER#a' }, sk: { S: 'QR_ORDER' } },
          UpdateExpression: 'SET #s = :s, outbox = :o',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'paid' }, ':o': { S: '[]' } },
        }),
      );
      // The caller asked for nothing back, and gets nothing back (with a valid checksum).
      expect(answer.Attributes).toBeUndefined();
      expect(seen).toHaveLength(1);
      expect(seen[0]!.dynamodb?.NewImage).toMatchObject({ status: { S: 'paid' }, outbox: { S: '[]' } });
      // A write without an outbox is not handed on.
      await client.send(
        new UpdateItemCommand({
          TableName: 'tap',
          Key: { pk: { S: 'X#1' }, sk: { S: 'X' } },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeValues: { ':a': { S: '1' } },
        }),
      );
      expect(seen).toHaveLength(1);
    } finally {
      client.destroy();
      await tap.close();
      await db.close();
    }
  });

  it('delivers again a record its consumer failed (at least once), until it succeeds', async () => {
    const db = await startEmbeddedDynamoDb({});
    let failures = 2;
    const delivered: string[] = [];
    const tap = await startStreamTap({
      target: db.endpoint,
      consume: async (records) => {
        if (failures-- > 0) return records;
        delivered.push(...records.map((r) => r.eventID ?? ''));
        return [];
      },
      log: quietLogger,
    });
    const { DynamoDBClient, CreateTableCommand, PutItemCommand } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: tap.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'tap',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      await client.send(
        new PutItemCommand({
          TableName: 'tap',
          Item: { pk: { S: 'P#1' }, sk: { S: 'L' }, outbox: { S: '[]' } },
        }),
      );
      await tap.idle();
      expect(delivered).toEqual(['local-1']);
    } finally {
      client.destroy();
      await tap.close();
      await db.close();
    }
  });
});
