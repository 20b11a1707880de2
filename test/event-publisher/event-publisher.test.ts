/**
 * Events out through the table's stream (AWS): each ledger write stores its events in the item (outbox), and
 * event-publisher puts them on the bus from the stream's NEW_IMAGE, exactly as the inline path would have
 * published them; with EVENTS_VIA_STREAM the functions publish none of them themselves.
 */
import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord, DynamoDBStreamEvent, AttributeValue as StreamAttributeValue } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishOutboxes, type SendEvents } from '../../functions/event-publisher/publish-outboxes.ts';
import type { RefundDeps } from '../../functions/refunds/deps.ts';
import { ConfigError, loadConfig } from '../../functions/shared/config.ts';
import { type PutEventsSender, putEvents } from '../../functions/shared/events/eventbridge-publisher.ts';
import { ledgerEventsHandler, withoutLedgerEvents } from '../../functions/shared/events/ledger-events.ts';
import { createLocalPublisher, type EventPublisher } from '../../functions/shared/events/publisher.ts';
import {
  DetailType,
  EVENT_SOURCE,
  type EventEnvelope,
  type OutEvent,
} from '../../functions/shared/events/types.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { syncPayment } from '../../functions/shared/notifications/process-payment.ts';
import { processingDeps } from '../../functions/shared/notifications/runtime-deps.ts';
import { createRuntime } from '../../functions/shared/runtime.ts';
import { ledgerKey, outboxFromItem } from '../../functions/shared/storage/ledger-store.ts';
import { daysAgo, refundApi } from '../refunds/support.ts';
import { type Harness, newId, refundWindow, startHarness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const quiet = createLogger({ level: 'error', sink: () => undefined });

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

/** What the bus got, in the envelope a rule's target receives (as the inline publisher writes it). */
const asEnvelope = (entry: PutEventsRequestEntry): EventEnvelope =>
  ({
    source: entry.Source,
    'detail-type': entry.DetailType,
    time: entry.Time?.toISOString(),
    detail: JSON.parse(entry.Detail ?? '{}'),
  }) as EventEnvelope;

/** The local publisher's lines, parsed: what the inline path published. */
const inlineCapture = () => {
  const envelopes: EventEnvelope[] = [];
  const publisher: EventPublisher = createLocalPublisher({
    file: undefined,
    sink: (line) => envelopes.push(JSON.parse(line) as EventEnvelope),
  });
  return { envelopes, publisher };
};

describe('event-publisher', () => {
  /** A refund made through the API, then a status change seen by a GET: two writes, inline and stored. */
  const refundThenStatusChange = async () => {
    const inline = inlineCapture();
    const api = refundApi(h, {
      onLedgerEvents: ledgerEventsHandler({
        publisher: inline.publisher,
        ledgers: h.ledgers,
        clock: h.clock,
      }),
    });
    const paymentId = approved(100);
    const created = await api.refund(paymentId, { amount: 30 });
    expect(created.status).toBe(201);
    const afterRefund = await rawItem(paymentId);
    h.sandbox.setPaymentStatus(paymentId, 'in_mediation', 'pending');
    expect((await api.list(paymentId)).status).toBe(200);
    const afterStatusChange = await rawItem(paymentId);
    return { paymentId, refundId: created.body.id as string, inline, afterRefund, afterStatusChange };
  };

  it('publishes from the saved items exactly the events the inline path published, same eventIds', async () => {
    const { refundId, inline, afterRefund, afterStatusChange } = await refundThenStatusChange();
    expect(inline.envelopes.map((e) => e['detail-type'])).toEqual([
      DetailType.RefundSucceeded,
      DetailType.PaymentStatusChanged,
    ]);
    expect(inline.envelopes[0]!.detail).toMatchObject({ refund: { id: refundId, status: 'succeeded' } });
    // Each write holds its own events only: the item does not accumulate them.
    expect(outboxFromItem(afterRefund)).toHaveLength(1);
    expect(outboxFromItem(afterStatusChange)).toHaveLength(1);

    const { accepted, send } = bus();
    const response = await publishOutboxes(
      send,
      streamOf(streamRecord(afterRefund, 100), streamRecord(afterStatusChange, 101)),
      quiet,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    expect(accepted.map(asEnvelope)).toEqual(inline.envelopes);
    expect(accepted.every((entry) => entry.EventBusName === 'the-bus' && entry.Source === EVENT_SOURCE)).toBe(
      true,
    );
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
        quiet,
      ),
    ).toEqual({ batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '301' }] });
  });

  it('skips writes without events, other items and deletions; fails a record whose outbox is unreadable', async () => {
    const paymentId = approved(50);
    const inline = inlineCapture();
    const api = refundApi(h, {
      onLedgerEvents: ledgerEventsHandler({
        publisher: inline.publisher,
        ledgers: h.ledgers,
        clock: h.clock,
      }),
    });
    h.sandbox.dashboardRefund(paymentId, 10);
    await api.list(paymentId);
    // A later write that changes nothing worth an event (as a reconciliation schedule does) empties the outbox.
    const ledger = await h.ledgers.get(paymentId);
    await h.ledgers.save({ ...ledger!, updatedAt: new Date().toISOString() });
    const withoutEvents = await rawItem(paymentId);
    expect(withoutEvents.outbox).toBeUndefined();
    const idempotencyItem = { pk: { S: 'IDEMPOTENCY#k' }, sk: { S: 'KEY' }, outbox: { S: '[]' } };

    const { accepted, send, calls } = bus();
    const response = await publishOutboxes(
      send,
      streamOf(
        streamRecord(withoutEvents, 1),
        streamRecord(idempotencyItem, 2),
        streamRecord(undefined, 3),
        streamRecord({ ...withoutEvents, outbox: { S: '[{"not":"an event"}]' } }, 4),
      ),
      quiet,
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '4' }] });
    expect(calls()).toBe(0);
    expect(accepted).toEqual([]);
  });
});

describe('EVENTS_VIA_STREAM', () => {
  const env = (extra: Record<string, string> = {}) => ({
    TABLE_NAME: h.tableName,
    MP_ACCESS_TOKEN: 'TEST-token',
    ...extra,
  });

  it('is false unless set to true, and refuses anything else', () => {
    expect(loadConfig(env()).eventsViaStream).toBe(false);
    expect(loadConfig(env({ EVENTS_VIA_STREAM: 'false' })).eventsViaStream).toBe(false);
    expect(loadConfig(env({ EVENTS_VIA_STREAM: 'TRUE' })).eventsViaStream).toBe(true);
    expect(() => loadConfig(env({ EVENTS_VIA_STREAM: 'yes' }))).toThrow(ConfigError);
  });

  it('leaves the events of ledger writes to the stream: none published inline, all in the saved item', async () => {
    const inline = inlineCapture();
    const runtime = createRuntime(loadConfig(env({ EVENTS_VIA_STREAM: 'true' })), {
      dynamo: h.dynamo,
      mercadoPago: h.mercadoPago,
      clock: h.clock,
      events: inline.publisher,
    });
    const deps: RefundDeps = {
      mercadoPago: runtime.mercadoPago,
      ledgers: runtime.ledgers,
      idempotency: runtime.idempotency,
      clock: runtime.clock,
      refundWindow,
      newId,
      onLedgerEvents: runtime.onLedgerEvents,
    };
    const paymentId = approved(100);
    const created = await refundApi(h, deps).refund(paymentId, { amount: 40 });
    expect(created.status).toBe(201);
    expect(inline.envelopes).toEqual([]);
    const [stored] = outboxFromItem(await rawItem(paymentId));
    expect(stored).toMatchObject({
      detailType: DetailType.RefundSucceeded,
      detail: { paymentId, refund: { id: created.body.id, status: 'succeeded', amount: 40 } },
    });

    // A notification's processing too: the external refund it records is in the item, not published.
    h.sandbox.dashboardRefund(paymentId, 60);
    const sync = await syncPayment(processingDeps(runtime), paymentId, { log: quiet, by: 'mercadopago' });
    expect(sync.outcome).toBe('updated');
    expect(inline.envelopes).toEqual([]);
    expect(outboxFromItem(await rawItem(paymentId)).map((event) => event.detailType)).toContain(
      DetailType.RefundSucceeded,
    );
  });

  it('still publishes the events that are in no ledger (QR orders) inline', async () => {
    const inline = inlineCapture();
    const qrPaid: OutEvent = {
      detailType: DetailType.QrOrderPaid,
      detail: {
        version: 1,
        eventId: 'qr-1',
        occurredAt: '2025-03-20T21:20:41.512Z',
        externalReference: 'order-1',
        merchantOrderId: '1',
        status: 'paid',
        totalAmount: 10,
        paidAmount: 10,
        paymentIds: ['1'],
      },
    };
    const refundEvent: OutEvent = {
      detailType: DetailType.RefundSucceeded,
      detail: {
        version: 1,
        eventId: 'rf-1',
        occurredAt: '2025-03-20T21:20:41.512Z',
        paymentId: '1',
        refund: {
          id: 'rf_1',
          paymentId: '1',
          amount: 10,
          currency: 'BRL',
          status: 'succeeded',
          origin: 'api',
          mercadoPagoRefundId: '2',
          createdAt: '2025-03-20T21:20:41.512Z',
          updatedAt: '2025-03-20T21:20:41.512Z',
        },
      },
    };
    await withoutLedgerEvents(inline.publisher).publish([refundEvent, qrPaid], quiet);
    expect(inline.envelopes.map((e) => e['detail-type'])).toEqual([DetailType.QrOrderPaid]);
  });
});
