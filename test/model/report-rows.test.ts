/**
 * Settlement report rows applied to one ledger (model/ledger/report-rows.ts) and read from the file's records
 * (model/reports/rows.ts): the evidence rules where the integration tests do not reach (held rows, rows
 * without an id among several refunds of one amount, unknown rows, chargeback and dispute rows twice).
 */
import { describe, expect, it } from 'vitest';
import {
  applyReportRow,
  type ReportRowFacts,
  reportedRefund,
} from '../../functions/model/ledger/report-rows.ts';
import { RefundOrigin, RefundStatus } from '../../functions/model/ledger/types.ts';
import { readRow } from '../../functions/model/reports/rows.ts';
import { at, context, ledgerOf, MINUTE, mpRefund, payment, reserve, storedAfter } from './builders.ts';

let rows = 0;
const refundRow = (
  amount: number,
  mercadoPagoId: string | null,
  date: string | null = at(0),
): ReportRowFacts => ({
  key: `row-${++rows}`,
  day: '2026-06-01',
  type: 'refund',
  mercadoPagoId,
  amount: -amount,
  date,
});

describe('refund rows', () => {
  it('a row already applied is seen, and changes nothing', () => {
    const ledger = ledgerOf(payment({ refunds: [mpRefund('r1', 10)] }));
    const row = refundRow(10, 'r1');
    const first = applyReportRow(ledger, row, context(MINUTE));
    expect(first.result).toMatchObject({ kind: 'matched', mercadoPagoId: 'r1' });
    const again = applyReportRow(storedAfter(ledger, first), row, context(2 * MINUTE));
    expect(again).toMatchObject({ ledger: null, events: [], result: { kind: 'seen' } });
  });

  it('an id no refund holds is held while a pending refund of ours of that amount, reserved before, may be it', () => {
    const { ledger } = reserve(ledgerOf(payment()), 'rf_ours', 1_000, 0);
    const change = applyReportRow(ledger, refundRow(10, '9001', at(MINUTE)), context(2 * MINUTE));
    expect(change.result).toEqual({ kind: 'held', mercadoPagoId: '9001' });
    const stored = storedAfter(ledger, change);
    // Not counted twice: our refund stays the only one, still pending; the row is recorded as held.
    expect(stored.refunds.map((r) => [r.id, r.status])).toEqual([['rf_ours', RefundStatus.Pending]]);
    expect(stored.reported).toMatchObject([{ mercadoPagoId: '9001', outcome: 'held', amountMinor: 1_000 }]);
    expect(reportedRefund(stored, stored.refunds[0]!)).toBeUndefined();
  });

  it('an id no refund holds and nothing pending: recorded as made elsewhere', () => {
    const ledger = ledgerOf(payment());
    const change = applyReportRow(ledger, refundRow(10, '9002'), context(MINUTE));
    expect(change.result).toMatchObject({ kind: 'recorded_external', mercadoPagoId: '9002' });
    const stored = storedAfter(ledger, change);
    expect(stored.refunds).toMatchObject([
      { origin: RefundOrigin.External, mercadoPagoRefundId: '9002', amountMinor: 1_000 },
    ]);
  });

  it('rows without an id take the succeeded refunds of their amount closest in time, each once', () => {
    const ledger = ledgerOf(
      payment({ refunds: [mpRefund('r1', 10, 'approved', 0), mpRefund('r2', 10, 'approved', 60 * MINUTE)] }),
    );
    const [early, late] = ledger.refunds;
    const near = applyReportRow(ledger, refundRow(10, null, at(55 * MINUTE)), context(2 * 60 * MINUTE));
    expect(near.result).toEqual({ kind: 'matched', refundId: late!.id, mercadoPagoId: 'r2' });
    const afterNear = storedAfter(ledger, near);
    const other = applyReportRow(afterNear, refundRow(10, null, at(55 * MINUTE)), context(2 * 60 * MINUTE));
    expect(other.result).toEqual({ kind: 'matched', refundId: early!.id, mercadoPagoId: 'r1' });
    const both = storedAfter(afterNear, other);
    expect(reportedRefund(both, early!)).toBeDefined();
    expect(reportedRefund(both, late!)).toBeDefined();
  });

  it('without a date, rows without an id take the oldest refund first', () => {
    const ledger = ledgerOf(
      payment({ refunds: [mpRefund('r2', 10, 'approved', MINUTE), mpRefund('r1', 10, 'approved', 0)] }),
    );
    const change = applyReportRow(ledger, refundRow(10, null, null), context(2 * MINUTE));
    expect(change.result).toMatchObject({ kind: 'matched', mercadoPagoId: 'r1' });
  });

  it('a row without an id matching nothing asks for a read first, then is unknown (never a match)', () => {
    const ledger = ledgerOf(payment({ refunds: [mpRefund('r1', 10)] }));
    const row = refundRow(25, null);
    expect(applyReportRow(ledger, row, context(MINUTE))).toEqual({
      ledger: null,
      events: [],
      result: { kind: 'needs_read' },
    });
    const after = applyReportRow(ledger, row, context(MINUTE), { afterRead: true });
    expect(after.result).toEqual({ kind: 'unknown', amountMinor: 2_500 });
    const stored = storedAfter(ledger, after);
    expect(stored.reported).toMatchObject([{ outcome: 'unknown', mercadoPagoId: null, amountMinor: 2_500 }]);
    // An unknown row is no report row of the refund that is there.
    expect(reportedRefund(stored, stored.refunds[0]!)).toBeUndefined();
  });

  it('a row without an id whose refund the read itself just recorded is that row\u2019s news', () => {
    const ledger = ledgerOf(payment({ refunds: [mpRefund('r1', 10)] }));
    const change = applyReportRow(ledger, refundRow(10, null), context(MINUTE), {
      afterRead: true,
      knownBefore: new Set(),
    });
    expect(change.result).toMatchObject({ kind: 'recorded_external', mercadoPagoId: 'r1' });
  });
});

describe('chargeback and dispute rows', () => {
  const caseRow = (type: 'chargeback' | 'dispute', mercadoPagoId: string | null): ReportRowFacts => ({
    key: `case-${++rows}`,
    day: '2026-06-01',
    type,
    mercadoPagoId,
    amount: -100,
    date: null,
  });

  it('records a case once: a second row about it is a match, not a second case', () => {
    const ledger = ledgerOf(payment());
    const first = applyReportRow(ledger, caseRow('chargeback', '218000000000000001'), context(MINUTE));
    expect(first.result).toEqual({ kind: 'chargeback', chargebackId: '218000000000000001', recorded: true });
    const stored = storedAfter(ledger, first);
    // No date on the row: the case counts from when it was seen.
    expect(stored.chargebacks).toMatchObject([
      { status: 'open', amountMinor: 10_000, createdAt: at(MINUTE) },
    ]);
    const second = applyReportRow(stored, caseRow('chargeback', '218000000000000001'), context(2 * MINUTE));
    expect(second.result).toEqual({
      kind: 'chargeback',
      chargebackId: '218000000000000001',
      recorded: false,
    });
    expect(storedAfter(stored, second).chargebacks).toHaveLength(1);
    expect(storedAfter(stored, second).reported?.map((s) => s.outcome)).toEqual(['recorded', 'matched']);
  });

  it('a dispute row names no case: it is kept under its row', () => {
    const row = caseRow('dispute', null);
    const change = applyReportRow(ledgerOf(payment()), row, context(MINUTE));
    expect(change.result).toEqual({ kind: 'chargeback', chargebackId: `dispute:${row.key}`, recorded: true });
    expect(change.ledger?.chargebacks).toMatchObject([{ kind: 'dispute' }]);
  });
});

describe('reading a row of the file', () => {
  const base = {
    SOURCE_ID: '123',
    TRANSACTION_TYPE: 'REFUND',
    TRANSACTION_AMOUNT: '-10.00',
    TRANSACTION_DATE: '2026-06-01T10:00:00.000-03:00',
  };

  it('reads ids from METADATA, dates in UTC, and an Orders id only in its own form', () => {
    const reading = readRow(
      { ...base, METADATA: '[{"refund_id": 2100000001}]', ORDER_ID: 'ord01JQ4S4KY8HWQ6NA5PXB65B3D3' },
      '2026-06-01',
    );
    expect(reading).toMatchObject({
      kind: 'row',
      row: {
        paymentId: '123',
        orderId: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3',
        facts: { type: 'refund', mercadoPagoId: '2100000001', amount: -10, date: '2026-06-01T13:00:00.000Z' },
      },
    });
    expect(readRow({ ...base, ORDER_ID: '1234567' }, '2026-06-01')).toMatchObject({ row: { orderId: null } });
    expect(
      readRow(
        { ...base, TRANSACTION_TYPE: ' chargeback ', METADATA: '{"chargeback_id":"218000000000000001"}' },
        'd',
      ),
    ).toMatchObject({ row: { facts: { type: 'chargeback', mercadoPagoId: '218000000000000001' } } });
  });

  it('counts rows of other types, and lists a reconciled row it cannot read', () => {
    expect(readRow({ ...base, TRANSACTION_TYPE: 'SETTLEMENT' }, 'd')).toEqual({ kind: 'other' });
    expect(readRow({}, 'd')).toEqual({ kind: 'other' });
    expect(readRow({ TRANSACTION_TYPE: 'REFUND' }, 'd')).toMatchObject({ kind: 'unreadable' });
    expect(readRow({ ...base, TRANSACTION_AMOUNT: '1,00' }, 'd')).toMatchObject({
      kind: 'unreadable',
      detail: expect.stringContaining('TRANSACTION_AMOUNT "1,00"'),
    });
  });

  it('keys a row by what it says, so the same row is the same key on every run, and a missing date too', () => {
    const one = readRow({ ...base }, 'd');
    const two = readRow({ ...base }, 'd');
    const undated = readRow({ ...base, TRANSACTION_DATE: undefined }, 'd');
    expect(one.kind === 'row' && two.kind === 'row' && one.row.facts.key === two.row.facts.key).toBe(true);
    expect(undated).toMatchObject({ kind: 'row', row: { facts: { date: null } } });
    expect(undated.kind === 'row' && one.kind === 'row' && undated.row.facts.key !== one.row.facts.key).toBe(
      true,
    );
  });
});
