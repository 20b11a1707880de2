/**
 * Events out: which ledger changes become events, their documented schema (docs/events.md), the EventBridge
 * and local publishers, and "once per change" when notifications, the API and retries race.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createEventBridgePublisher,
  type PutEventsSender,
} from '../../functions/shared/events/eventbridge-publisher.ts';
import { outEventsFromLedger } from '../../functions/shared/events/from-ledger.ts';
import { createLocalPublisher } from '../../functions/shared/events/publisher.ts';
import { DetailType, EVENT_SOURCE, type OutEvent } from '../../functions/shared/events/types.ts';
import type { LedgerEvent } from '../../functions/shared/ledger/ledger.ts';
import type { PaymentLedger, RefundEntry } from '../../functions/shared/ledger/types.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import { invoke } from '../support/harness.ts';
import { approvedPayment, type Rig, startRig, WEBHOOK_PATH } from '../webhook/rig.ts';
import { documentedSchemas, SCHEMA_OF_DETAIL_TYPE, validate } from './schema.ts';

const NOW = '2025-03-20T21:20:41.512Z';

const entry = (overrides: Partial<RefundEntry> = {}): RefundEntry => ({
  id: 'rf_1',
  origin: 'api',
  amountMinor: 2550,
  status: 'succeeded',
  mercadoPagoRefundId: '1000000001',
  requestedBy: 'local',
  createdAt: '2025-03-20T21:18:02.101Z',
  updatedAt: NOW,
  history: [],
  ...overrides,
});

const ledger: PaymentLedger = {
  paymentId: '1234567890',
  currency: 'BRL',
  totalMinor: 10000,
  status: 'approved',
  statusDetail: 'partially_refunded',
  statusHistory: [],
  refunds: [],
  createdAt: NOW,
  updatedAt: NOW,
  version: 3,
};

const quiet = createLogger({ level: 'error', sink: () => undefined });

describe('ledger changes to events', () => {
  it('publishes settled refunds (ours and external) and status changes, never pending states', () => {
    const events: LedgerEvent[] = [
      { type: 'refund.pending', refund: entry({ status: 'pending', id: 'rf_p' }) },
      { type: 'refund.succeeded', refund: entry() },
      {
        type: 'refund.failed',
        refund: entry({
          id: 'rf_2',
          status: 'failed',
          failure: { code: 'INSUFFICIENT_BALANCE', detail: 'x' },
        }),
      },
      {
        type: 'refund.external_recorded',
        refund: entry({ id: 'rf_3', origin: 'external', amountMinor: 100 }),
      },
      {
        type: 'refund.external_recorded',
        refund: entry({ id: 'rf_4', origin: 'external', status: 'pending' }),
      },
      {
        type: 'payment.status_changed',
        status: 'cancelled',
        statusDetail: 'expired',
        previousStatus: 'pending',
      },
      {
        type: 'payment.status_changed',
        status: 'charged_back',
        statusDetail: 'settled',
        previousStatus: 'approved',
      },
    ];
    const out = outEventsFromLedger(ledger, events, NOW);
    expect(out.map((e) => e.detailType)).toEqual([
      'Refund Succeeded',
      'Refund Failed',
      'Refund Succeeded',
      'Payment Cancelled',
      'Payment Status Changed',
    ]);
    expect(out[0]!.detail).toMatchObject({
      paymentId: '1234567890',
      refund: { amount: 25.5, currency: 'BRL', status: 'succeeded' },
    });
    expect(out[1]!.detail).toMatchObject({ refund: { failure: { code: 'INSUFFICIENT_BALANCE' } } });
  });

  it('gives one change one stable eventId, and drops a change reported twice by one write', () => {
    const twice = outEventsFromLedger(
      ledger,
      [
        { type: 'refund.succeeded', refund: entry() },
        { type: 'refund.succeeded', refund: entry() },
      ],
      NOW,
    );
    expect(twice).toHaveLength(1);
    const again = outEventsFromLedger(
      ledger,
      [{ type: 'refund.succeeded', refund: entry() }],
      '2030-01-01T00:00:00.000Z',
    );
    expect(again[0]!.detail.eventId).toBe(twice[0]!.detail.eventId);
    const other = outEventsFromLedger(
      ledger,
      [{ type: 'refund.failed', refund: entry({ status: 'failed' }) }],
      NOW,
    );
    expect(other[0]!.detail.eventId).not.toBe(twice[0]!.detail.eventId);
  });

  it('skips an event whose entry moved on within the same write', () => {
    expect(
      outEventsFromLedger(ledger, [{ type: 'refund.succeeded', refund: entry({ status: 'pending' }) }], NOW),
    ).toEqual([]);
  });
});

describe('the documented schemas (docs/events.md)', () => {
  const schemas = documentedSchemas();

  it('documents a schema for every detail type', () => {
    for (const detailType of Object.values(DetailType))
      expect(schemas[SCHEMA_OF_DETAIL_TYPE[detailType]!]).toBeDefined();
  });

  it('describes every detail the code builds, exactly', () => {
    const details: OutEvent[] = outEventsFromLedger(
      ledger,
      [
        { type: 'refund.succeeded', refund: entry({ reason: 'r', externalReference: 'e-1' }) },
        {
          type: 'refund.failed',
          refund: entry({
            id: 'f',
            status: 'failed',
            mercadoPagoRefundId: null,
            failure: { code: 'REFUND_REJECTED', detail: 'd' },
          }),
        },
        {
          type: 'payment.status_changed',
          status: 'cancelled',
          statusDetail: null,
          previousStatus: 'pending',
        },
      ],
      NOW,
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
    for (const event of details) {
      expect(
        validate(schemas[SCHEMA_OF_DETAIL_TYPE[event.detailType]!]!, event.detail),
        event.detailType,
      ).toEqual([]);
    }
    // The checker does catch a drift.
    expect(validate(schemas.RefundDetail!, { ...details[0]!.detail, extra: 1 })).not.toEqual([]);
  });
});

describe('publishers', () => {
  const event = (i: number): OutEvent =>
    outEventsFromLedger(ledger, [{ type: 'refund.succeeded', refund: entry({ id: `rf_${i}` }) }], NOW)[0]!;

  it('EventBridge: source and detail-type, batches of 10, failed entries retried, then logged, never thrown', async () => {
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
    const lines: string[] = [];
    const log = createLogger({ sink: (line) => lines.push(line) });
    await createEventBridgePublisher('the-bus', sender).publish(
      Array.from({ length: 12 }, (_, i) => event(i)),
      log,
    );
    expect(calls.map((c) => c.input.Entries?.length)).toEqual([10, 1, 1, 2]);
    const first = calls[0]!.input.Entries![0]!;
    expect(first).toMatchObject({
      EventBusName: 'the-bus',
      Source: EVENT_SOURCE,
      DetailType: 'Refund Succeeded',
    });
    expect(JSON.parse(first.Detail!)).toEqual(event(0).detail);
    expect(lines).toEqual([]);

    const down: PutEventsSender = {
      async send() {
        throw new Error('network down');
      },
    };
    await expect(
      createEventBridgePublisher('the-bus', down).publish([event(1)], log),
    ).resolves.toBeUndefined();
    expect(lines.map((l) => JSON.parse(l) as { message: string; event: { source: string } })).toEqual([
      expect.objectContaining({
        message: 'event not published',
        event: expect.objectContaining({ source: EVENT_SOURCE }),
      }),
    ]);
  });

  it('locally: one JSON line per event on the sink and in the file, whole and in order under concurrency', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'events-'));
    try {
      const file = join(dir, 'nested', 'events.jsonl');
      const lines: string[] = [];
      const publisher = createLocalPublisher({ file, sink: (line) => lines.push(line) });
      await Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publish([event(i)], quiet)));
      const written = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(written).toHaveLength(20);
      expect(written).toEqual(lines);
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

describe('createEventPublisher', () => {
  it('refuses a bus name in a function that does not bundle the EventBridge publisher', async () => {
    const { createEventPublisher } = await import('../../functions/shared/events/publisher.ts');
    expect(() => createEventPublisher('bus', {})).toThrow(/EVENT_BUS_NAME/);
    const sent: string[] = [];
    const publisher = createEventPublisher('bus', {}, (bus) => ({
      publish: async () => {
        sent.push(bus);
      },
    }));
    await publisher.publish([], createLogger({ level: 'error', sink: () => undefined }));
    expect(sent).toEqual(['bus']);
  });
});
