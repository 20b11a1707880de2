/**
 * Events out: which ledger changes become events, their documented schema (docs/events.md), the EventBridge
 * and local publishers, and "once per change" when notifications, the API and retries race.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type PutEventsSender, putEvents } from '../../functions/adapters/eventbridge.ts';
import { outEventsOf } from '../../functions/model/events/from-ledger.ts';
import { DetailType, EVENT_SOURCE, type OutEvent } from '../../functions/model/events/types.ts';
import type { LedgerEvent } from '../../functions/model/ledger/change.ts';
import type { ExternalRefund, Ledger, OurRefund } from '../../functions/model/ledger/types.ts';
import { completedEvent, discrepancyEvent, failedEvent } from '../../functions/model/reports/events.ts';
import { eventsFileSender } from '../../local/events-file.ts';
import { invoke } from '../support/harness.ts';
import { approvedPayment, type Rig, startRig, WEBHOOK_PATH } from '../webhook/rig.ts';
import { documentedSchemas, SCHEMA_OF_DETAIL_TYPE, validate } from './schema.ts';

const NOW = '2025-03-20T21:20:41.512Z';

const ours = (overrides: Partial<OurRefund> = {}): OurRefund => ({
  id: 'rf_1',
  origin: 'api',
  amountMinor: 2550,
  status: 'succeeded',
  mercadoPagoRefundId: '1000000001',
  idempotencyKey: 'key-1',
  fingerprint: 'f',
  requestedBy: 'local',
  fullRefund: false,
  sendsEmptyBody: false,
  call: { state: 'unknown', attempts: 1, lastAttemptAt: '2025-03-20T21:18:02.101Z' },
  createdAt: '2025-03-20T21:18:02.101Z',
  updatedAt: NOW,
  settledAt: NOW,
  ...overrides,
});

const external = (overrides: Partial<ExternalRefund> = {}): ExternalRefund => ({
  id: 'rf_3',
  origin: 'external',
  amountMinor: 100,
  status: 'succeeded',
  mercadoPagoRefundId: '1000000003',
  createdAt: '2025-03-20T21:18:02.101Z',
  updatedAt: NOW,
  settledAt: NOW,
  ...overrides,
});

const ledger: Ledger = {
  docVersion: 2,
  kind: 'payment',
  id: '1234567890',
  currency: 'BRL',
  totalMinor: 10000,
  status: 'approved',
  statusDetail: 'partially_refunded',
  statusHistory: [],
  refunds: [],
  attention: [],
  history: [],
  createdAt: NOW,
  updatedAt: NOW,
  version: 3,
};

const settled = (refund: OurRefund | ExternalRefund): LedgerEvent => ({ kind: 'refund.settled', refund });
const statusChange = (previousStatus: string, status: string, statusDetail: string | null): LedgerEvent => ({
  kind: 'status.changed',
  status,
  statusDetail,
  previousStatus,
  at: NOW,
});

describe('ledger changes to events', () => {
  it('publishes settled refunds (ours and external) and status changes, never pending states or findings', () => {
    const events: LedgerEvent[] = [
      settled(ours({ status: 'pending', id: 'rf_p' })),
      settled(ours()),
      settled(ours({ id: 'rf_2', status: 'failed', failure: { code: 'INSUFFICIENT_BALANCE', detail: 'x' } })),
      settled(external()),
      settled(external({ id: 'rf_4', status: 'pending' })),
      statusChange('pending', 'cancelled', 'expired'),
      statusChange('approved', 'charged_back', 'settled'),
      { kind: 'cancellation.settled', status: 'cancelled', at: NOW },
      {
        kind: 'attention.raised',
        item: { kind: 'settlement_contradiction', key: 'k', since: NOW, detail: 'd' },
      },
    ];
    const out = outEventsOf(ledger, events);
    expect(out.map((e) => e.detailType)).toEqual([
      'Refund Succeeded',
      'Refund Failed',
      'Refund Succeeded',
      'Payment Cancelled',
      'Payment Status Changed',
    ]);
    expect(out[0]!.detail).toMatchObject({
      paymentId: '1234567890',
      refund: { amount: 25.5, currency: 'BRL', status: 'succeeded', idempotencyKey: 'key-1', origin: 'api' },
    });
    expect(out[1]!.detail).toMatchObject({ refund: { failure: { code: 'INSUFFICIENT_BALANCE' } } });
    expect(out[2]!.detail).toMatchObject({ refund: { origin: 'external', idempotencyKey: null } });
  });

  it('gives one change one stable eventId, and drops a change reported twice by one write', () => {
    const twice = outEventsOf(ledger, [settled(ours()), settled(ours())]);
    expect(twice).toHaveLength(1);
    const again = outEventsOf({ ...ledger, updatedAt: '2030-01-01T00:00:00.000Z', version: 9 }, [
      settled(ours()),
    ]);
    expect(again[0]!.detail.eventId).toBe(twice[0]!.detail.eventId);
    const other = outEventsOf(ledger, [settled(ours({ status: 'failed' }))]);
    expect(other[0]!.detail.eventId).not.toBe(twice[0]!.detail.eventId);
  });

  it('names an Orders API order as orderId, and its cancellation as Order Cancelled', () => {
    const order: Ledger = { ...ledger, kind: 'order', id: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3' };
    const out = outEventsOf(order, [settled(ours()), statusChange('created', 'canceled', 'canceled_by_api')]);
    expect(out.map((e) => e.detailType)).toEqual(['Refund Succeeded', 'Order Cancelled']);
    expect(out[0]!.detail).toMatchObject({ orderId: order.id, refund: { orderId: order.id } });
    expect(out[0]!.detail).not.toHaveProperty('paymentId');
  });
});

describe('the documented schemas (docs/events.md)', () => {
  const schemas = documentedSchemas();

  it('documents a schema for every detail type', () => {
    for (const detailType of Object.values(DetailType))
      expect(schemas[SCHEMA_OF_DETAIL_TYPE[detailType]!]).toBeDefined();
  });

  it('describes every detail the code builds, exactly', () => {
    const details: OutEvent[] = outEventsOf(ledger, [
      settled(ours({ reason: 'r', externalReference: 'e-1' })),
      settled(
        ours({
          id: 'f',
          status: 'failed',
          mercadoPagoRefundId: null,
          failure: { code: 'REFUND_REJECTED', detail: 'd' },
          resolution: { by: 'person:ana', note: 'checked the panel', at: NOW },
        }),
      ),
      settled(external()),
      statusChange('pending', 'cancelled', null),
    ]);
    details.push(
      ...outEventsOf({ ...ledger, kind: 'order', id: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3' }, [
        settled(ours({ id: 'o1' })),
        statusChange('created', 'canceled', 'canceled_by_api'),
      ]),
    );
    details.push({
      detailType: DetailType.QrOrderPaid,
      detail: {
        version: 1,
        eventId: 'x',
        occurredAt: NOW,
        externalReference: 'order-1',
        merchantOrderId: '123',
        status: 'paid',
        totalAmount: 10,
        paidAmount: 10,
        paymentIds: ['1'],
      },
    });
    const chargeback = {
      id: '217000061307271000',
      kind: 'chargeback' as const,
      amountMinor: 2550,
      status: 'open' as const,
      documentationStatus: 'pending',
      documentationDeadline: '2025-03-30T21:20:41.512Z',
      createdAt: NOW,
      updatedAt: NOW,
    };
    details.push(
      ...outEventsOf(ledger, [
        { kind: 'chargeback.changed', chargeback, previous: null },
        { kind: 'chargeback.changed', chargeback: { ...chargeback, status: 'lost' }, previous: 'open' },
      ]),
    );
    const day = {
      date: '2025-03-20',
      status: 'completed' as const,
      counts: { rows: 10, matched: 2, recordedExternal: 1, discrepancies: 1 },
      reportFile: '/tmp/r.csv',
      requests: 1,
      missingChecked: false,
      updatedAt: NOW,
      version: 1,
    };
    details.push(
      completedEvent(day, NOW),
      failedEvent(day, 'No report file came', NOW),
      discrepancyEvent(
        day.date,
        {
          key: 'missing:rf_1',
          kind: 'refund_missing_in_report',
          paymentId: '123',
          refundId: 'rf_1',
          mercadoPagoRefundId: '1000000001',
          amount: 25.5,
          detail: 'd',
        },
        NOW,
      ),
    );
    expect(details.map((e) => e.detailType)).toEqual(
      expect.arrayContaining(['Chargeback Opened', 'Chargeback Resolved', 'Reconciliation Completed']),
    );
    for (const event of details) {
      // As consumers get it: the JSON the bus carries (absent optional fields are left out).
      const published: unknown = JSON.parse(JSON.stringify(event.detail));
      expect(
        validate(schemas[SCHEMA_OF_DETAIL_TYPE[event.detailType]!]!, published),
        event.detailType,
      ).toEqual([]);
    }
    // The checker does catch a drift.
    expect(validate(schemas.RefundDetail!, { ...details[0]!.detail, extra: 1 })).not.toEqual([]);
  });
});

describe('publishers', () => {
  const event = (i: number): OutEvent => outEventsOf(ledger, [settled(ours({ id: `rf_${i}` }))])[0]!;

  it('EventBridge: source and detail-type, batches of 10, failed entries retried, then reported, never thrown', async () => {
    const calls: PutEventsCommand[] = [];
    let failNext = 2;
    const sender: PutEventsSender = {
      async send(command) {
        calls.push(command);
        const entries = command.input.Entries ?? [];
        if (failNext > 0) {
          failNext--;
          return {
            FailedEntryCount: 1,
            Entries: entries.map((_, i) => (i === 0 ? { ErrorCode: 'ThrottlingException' } : {})),
          };
        }
        return { FailedEntryCount: 0, Entries: entries.map(() => ({})) };
      },
    };
    const unpublished = await putEvents(
      sender,
      'the-bus',
      Array.from({ length: 12 }, (_, i) => event(i)),
    );
    expect(unpublished).toEqual([]);
    expect(calls.map((c) => c.input.Entries?.length)).toEqual([10, 1, 1, 2]);
    const first = calls[0]!.input.Entries![0]!;
    expect(first).toMatchObject({
      EventBusName: 'the-bus',
      Source: EVENT_SOURCE,
      DetailType: 'Refund Succeeded',
    });
    expect(JSON.parse(first.Detail!)).toEqual(event(0).detail);

    const down: PutEventsSender = {
      async send() {
        throw new Error('network down');
      },
    };
    await expect(putEvents(down, 'the-bus', [event(1)])).resolves.toEqual([
      { event: event(1), reason: 'Error: network down' },
    ]);
  });

  it('locally: one JSON line per event on the sink and in the file, whole and in order under concurrency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'events-'));
    try {
      const file = join(dir, 'nested', 'events.jsonl');
      const told: OutEvent[] = [];
      const send = eventsFileSender({ file, onEvent: (e) => told.push(e) });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send([event(i)])));
      expect(results.flat()).toEqual([]);
      const written = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(written).toHaveLength(20);
      expect(written.map((line) => JSON.parse(line).detail)).toEqual(told.map((e) => e.detail));
      expect(JSON.parse(written[0]!)).toEqual({
        source: EVENT_SOURCE,
        'detail-type': 'Refund Succeeded',
        time: NOW,
        detail: event(0).detail,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('once per change, end to end', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig();
  });

  afterAll(async () => {
    await rig?.close();
  });

  beforeEach(async () => {
    await rig.reset();
  });

  it('publishes a change once when five different notifications of it race', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.dashboardRefund(paymentId, 100);
    const deliveries = await Promise.all(
      Array.from({ length: 5 }, () => rig.h.sandbox.sendNotification({ kind: 'signed', paymentId })),
    );
    expect(deliveries.flat().every((d) => d.status === 200)).toBe(true);
    expect(
      rig
        .events()
        .map((e) => e['detail-type'])
        .sort(),
    ).toEqual(['Refund Succeeded']);
    expect(rig.eventsInFile()).toHaveLength(1);
  });

  it('publishes a refund the API settled once, however many notifications and reads follow', async () => {
    rig.h.sandbox.configure({ notificationsEnabled: true });
    const paymentId = approvedPayment(rig, 100);
    const created = await invoke(rig.refunds, {
      method: 'POST',
      path: `/payments/${paymentId}/refunds`,
      body: {},
      headers: { 'idempotency-key': `all-${paymentId}` },
    });
    expect(created.status).toBe(201);
    await rig.h.sandbox.notificationsIdle();
    await rig.h.sandbox.sendNotification({ kind: 'signed', paymentId, duplicate: 1 });
    await rig.h.sandbox.sendNotification({ kind: 'ipn', paymentId });
    await invoke(rig.refunds, { method: 'GET', path: `/payments/${paymentId}/refunds` });
    const types = rig
      .eventsInFile()
      .map((e) => `${e['detail-type']}:${(e.detail as { status?: string }).status ?? ''}`);
    expect(types.sort()).toEqual(['Payment Status Changed:refunded', 'Refund Succeeded:']);
    const schemas = documentedSchemas();
    for (const e of rig.eventsInFile())
      expect(validate(schemas[SCHEMA_OF_DETAIL_TYPE[e['detail-type']]!]!, e.detail)).toEqual([]);
  });

  it('a webhook alone never publishes for a payment it could not verify', async () => {
    const paymentId = approvedPayment(rig, 100);
    rig.h.sandbox.dashboardRefund(paymentId, 10);
    await invoke(rig.webhook, {
      method: 'POST',
      path: `${WEBHOOK_PATH}?data.id=${paymentId}&type=payment`,
      body: { data: { id: paymentId } },
    });
    expect(rig.events()).toEqual([]);
  });
});
