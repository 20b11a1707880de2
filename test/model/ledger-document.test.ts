/** Ledgers stored in the shape written before documents were versioned are read, migrated, and kept working. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  documentOf,
  LedgerDocumentError,
  ledgerFromDocument,
} from '../../functions/adapters/dynamodb/ledger-document.ts';
import { ledgerFromItem } from '../../functions/adapters/dynamodb/ledger-store.ts';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import { mercadoPagoCancellationKey } from '../../functions/model/ledger/cancellation.ts';
import { refundsView } from '../../functions/model/ledger/view.ts';

/** Items written by the code of commit 5b5f16a (test/fixtures/stored-items-v1.json). */
const stored = JSON.parse(
  readFileSync(new URL('../fixtures/stored-items-v1.json', import.meta.url), 'utf8'),
) as Record<string, { S?: string; N?: string }>[];
const itemOf = (pk: string) => stored.find((item) => item.pk?.S === pk)!;

describe('a v1 ledger', () => {
  const ledger = ledgerFromItem(itemOf('PAYMENT#21000000001') as never)!;

  it('is read as today\u2019s ledger, with its version, sums and views unchanged', () => {
    expect(ledger).toMatchObject({
      docVersion: 2,
      kind: 'payment',
      id: '21000000001',
      version: 7,
      currency: 'BRL',
      totalMinor: 10000,
    });
    expect(refundsView(ledger)).toMatchObject({ refundedAmount: 13, pendingAmount: 5, refundableAmount: 82 });
    expect(ledger.refunds.map((e) => [e.origin, e.status, e.amountMinor])).toEqual([
      ['api', 'succeeded', 1000],
      ['api', 'pending', 500],
      ['api', 'failed', 700],
      ['external', 'succeeded', 300],
    ]);
  });

  it('keeps the Mercado Pago key each refund was sent with, so a re-send uses it again', () => {
    const pending = ledger.refunds[1]!;
    expect(pending).toMatchObject({
      origin: 'api',
      idempotencyKey: 'capture-unknown',
      call: { state: 'unknown', attempts: 1 },
    });
    expect(mercadoPagoRefundKey(pending as never)).toBe('a28a4caf-5a88-5434-8821-9046617932a8');
  });

  it('keeps its history, and schedules the pending work for reconciliation', () => {
    expect(ledger.history.map((h) => h.change)).toContain('refund_reserved');
    expect(ledger.schedule).toEqual({ nextCheckAt: '2026-12-01T15:12:07.802Z', checks: 0 });
    expect(ledger.attention).toEqual([]);
  });

  it('a v1 cancellation keeps its key', () => {
    const cancelled = ledgerFromItem(itemOf('PAYMENT#21000000002') as never)!;
    expect(cancelled.cancellation).toMatchObject({
      status: 'cancelled',
      idempotencyKey: 'capture-cancel',
      sequence: 1,
    });
    expect(mercadoPagoCancellationKey(cancelled.id, cancelled.cancellation!)).toBe(
      'f8880a8a-ba83-5359-a747-e9ba9a902c2a',
    );
  });

  it('round-trips once migrated: written back as v2 and read the same', () => {
    const again = ledgerFromDocument(
      JSON.parse(JSON.stringify(documentOf(ledger))),
      ledger.version,
      ledger.id,
    );
    expect(again).toEqual(ledger);
  });
});

describe('a document this code did not write', () => {
  it('is refused with the reason, never trusted', () => {
    expect(() => ledgerFromDocument({ docVersion: 2, kind: 'payment', id: '1' }, 1, '1')).toThrow(
      LedgerDocumentError,
    );
    expect(() => ledgerFromDocument({ paymentId: '1', refunds: 'no' }, 1, '1')).toThrow(/v1/);
  });
});

describe('a v2 document', () => {
  it('keeps every field the rules read: a provisional record, a known answer, a resolution', () => {
    const base = ledgerFromItem(itemOf('PAYMENT#21000000001') as never)!;
    const [ours, , , external] = base.refunds;
    const ledger = {
      ...base,
      refunds: [
        { ...ours!, answeredWith: 'mp-9' },
        { ...external!, provisional: true },
        {
          ...base.refunds[2]!,
          resolution: { by: 'person:ops', note: 'checked the panel', at: '2026-12-02T10:00:00.000Z' },
        },
      ],
    } as typeof base;
    const again = ledgerFromDocument(
      JSON.parse(JSON.stringify(documentOf(ledger))),
      ledger.version,
      ledger.id,
    );
    expect(again).toEqual(ledger);
  });
});
