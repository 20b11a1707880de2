/** The packed body of ledger items (adapters/dynamodb/ledger-codec.ts) and how items are read back. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeLedgerBody,
  encodeLedgerBody,
  LedgerBodyError,
} from '../../functions/adapters/dynamodb/ledger-codec.ts';
import { LEDGER_DICTIONARY_V1 } from '../../functions/adapters/dynamodb/ledger-dictionary.ts';
import { documentOf } from '../../functions/adapters/dynamodb/ledger-document.ts';
import { ledgerFromItem, outboxFromItem } from '../../functions/adapters/dynamodb/ledger-store.ts';
import { applyOrderRead } from '../../functions/model/ledger/order-read.ts';
import { at, context, ledgerOf, payment } from '../model/builders.ts';

const EVENT = {
  detailType: 'Refund Succeeded',
  detail: { version: 1, eventId: 'e1', occurredAt: '2026-06-01T12:00:00.000Z', paymentId: '1' },
};

describe('ledger bodies', () => {
  it('round-trips the document and the events, from bytes and from base64 (a stream record)', () => {
    const document = documentOf(ledgerOf(payment()));
    const body = encodeLedgerBody(document, [EVENT]);
    expect(body[0]).toBe(1);
    expect(decodeLedgerBody(body)).toEqual({ document, events: [EVENT] });
    expect(decodeLedgerBody(Buffer.from(body).toString('base64'))).toEqual({ document, events: [EVENT] });
  });

  it('packs a ledger to a fraction of its JSON', () => {
    const document = documentOf(ledgerOf(payment()));
    const json = JSON.stringify([document, [EVENT]]).length;
    expect(encodeLedgerBody(document, [EVENT]).length).toBeLessThan(json / 3);
  });

  it('refuses a body of another format, or one that is not ours, by name', () => {
    expect(() => decodeLedgerBody(Uint8Array.of(9, 1, 2))).toThrow(LedgerBodyError);
    expect(() => decodeLedgerBody(Uint8Array.of(1, 0xff, 0xff, 0xff))).toThrow(LedgerBodyError);
  });

  it('keeps the dictionary of format 1 byte for byte (stored bodies need exactly it)', () => {
    expect(createHash('sha256').update(LEDGER_DICTIONARY_V1).digest('hex').slice(0, 16)).toBe(DICTIONARY_SHA);
  });
});

describe('ledger items', () => {
  const ledger = { ...ledgerOf(payment({ id: '21000000001' })), id: '21000000001', version: 3 };
  const keys = { pk: { S: 'PAYMENT#21000000001' }, sk: { S: 'LEDGER' }, version: { N: '3' } };

  it('reads a packed item, and its events when `outbox` counts them', () => {
    const item = { ...keys, doc: { B: encodeLedgerBody(documentOf(ledger), [EVENT]) }, outbox: { N: '1' } };
    expect(ledgerFromItem(item)).toEqual(ledger);
    expect(outboxFromItem(item)).toEqual([EVENT]);
    const streamImage = { ...item, doc: { B: Buffer.from(item.doc.B).toString('base64') } };
    expect(outboxFromItem(streamImage)).toEqual([EVENT]);
  });

  it('reads an item written before bodies were packed: JSON document and JSON outbox', () => {
    const item = {
      ...keys,
      doc: { S: JSON.stringify(documentOf(ledger)) },
      outbox: { S: JSON.stringify([EVENT]) },
    };
    expect(ledgerFromItem(item)).toEqual(ledger);
    expect(outboxFromItem(item)).toEqual([EVENT]);
  });

  it('keeps chargebacks and report sightings (issue 12) inside the packed body, and reads them from JSON too', () => {
    const withCases = {
      ...ledger,
      chargebacks: [
        {
          id: '218000000000000001',
          kind: 'chargeback' as const,
          amountMinor: 10_000,
          status: 'open' as const,
          documentationStatus: 'pending',
          documentationDeadline: '2026-06-11T12:00:00.000Z',
          createdAt: '2026-06-01T12:00:00.000Z',
          updatedAt: '2026-06-01T12:00:00.000Z',
          mercadoPagoUpdatedAt: '2026-06-01T11:59:00.000Z',
        },
      ],
      reported: [
        {
          key: 'refund|21000000001|r1|-25.00|2026-06-01',
          day: '2026-06-01',
          type: 'refund' as const,
          mercadoPagoId: '2100000001',
          refundId: 'rf_1',
          amountMinor: 2_500,
          outcome: 'matched' as const,
        },
      ],
    };
    const packed = { ...keys, doc: { B: encodeLedgerBody(documentOf(withCases), []) } };
    expect(Object.keys(packed).sort()).toEqual(['doc', 'pk', 'sk', 'version']);
    expect(ledgerFromItem(packed)).toEqual(withCases);
    expect(ledgerFromItem({ ...keys, doc: { S: JSON.stringify(documentOf(withCases)) } })).toEqual(withCases);
    // A body stored before issue 12 (no such fields) reads with neither.
    const before = ledgerFromItem({ ...keys, doc: { B: encodeLedgerBody(documentOf(ledger), []) } });
    expect(before).toEqual(ledger);
    expect(before).not.toHaveProperty('chargebacks');
    expect(before).not.toHaveProperty('reported');
  });

  it('an item without events has none; an outbox count without a body is refused', () => {
    expect(outboxFromItem({ ...keys, doc: { B: encodeLedgerBody(documentOf(ledger), []) } })).toEqual([]);
    expect(() => outboxFromItem({ ...keys, outbox: { N: '1' } })).toThrow('no body');
    expect(ledgerFromItem({ ...keys })).toBeUndefined();
  });
});

describe('order ledgers (Orders API)', () => {
  const ORDER = 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3';
  const read = applyOrderRead(
    undefined,
    {
      facts: {
        id: ORDER,
        type: 'qr',
        status: 'processed',
        statusDetail: 'accredited',
        currency: 'BRL',
        siteId: 'MLB',
        totalAmount: 100,
        createdDate: at(-86_400_000),
        lastUpdatedDate: null,
        userId: '123',
        externalReference: 'pedido-1',
        qr: { externalPosId: 'CAJA_01', mode: 'static' },
        qrData: null,
        payments: [
          {
            id: 'PAY01JQ4S4KY8HWQ6NA5PXB65B3D4',
            amount: 100,
            status: 'processed',
            statusDetail: 'accredited',
          },
        ],
        refunds: [],
      },
      at: at(0),
    },
    context(0),
    { defaultCurrency: 'BRL', till: 'CAJA_01', version: 3 },
  );
  const ledger = { ...read.ledger!, version: 2 };
  const keys = { pk: { S: `ORDER#${ORDER}` }, sk: { S: 'LEDGER' }, version: { N: '2' } };

  it('are packed like payment ledgers, the order (transactions, site, till, data.version) inside the document', () => {
    expect(ledger.order).toMatchObject({ till: 'CAJA_01', version: 3, siteId: 'MLB' });
    const item = { ...keys, doc: { B: encodeLedgerBody(documentOf(ledger), [EVENT]) }, outbox: { N: '1' } };
    expect(ledgerFromItem(item)).toEqual(ledger);
    expect(outboxFromItem(item)).toEqual([EVENT]);
  });

  it('written before bodies were packed (JSON document) are still read, order included', () => {
    expect(ledgerFromItem({ ...keys, doc: { S: JSON.stringify(documentOf(ledger)) } })).toEqual(ledger);
  });
});

/** Pinned: a change to the dictionary fails here (a new one is a new format, beside it). */
const DICTIONARY_SHA = '8606267dc68a75d7';
