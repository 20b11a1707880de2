import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyLedger,
  MAX_ACTIVE_REFUNDS,
  refundRequestAmount,
  reserveRefund,
  settleRefund,
  syncWithPayment,
  totals,
} from '../../functions/shared/ledger/ledger.ts';
import type { PaymentLedger } from '../../functions/shared/ledger/types.ts';
import type { MpPayment, MpRefund } from '../../functions/shared/mercadopago/types.ts';

const NOW = '2026-11-21T10:00:00.000Z';
let seq = 0;
const newId = () => `rf_${String(++seq).padStart(6, '0')}`;

const payment = (overrides: Partial<MpPayment> = {}): MpPayment => ({
  id: '100',
  status: 'approved',
  statusDetail: 'accredited',
  currencyId: 'BRL',
  transactionAmount: 100,
  transactionAmountRefunded: 0,
  dateCreated: '2026-11-01T10:00:00.000-03:00',
  dateApproved: '2026-11-01T10:00:00.000-03:00',
  dateLastUpdated: null,
  collectorId: '1',
  inPerson: false,
  merchantOrderId: null,
  externalReference: null,
  refunds: [],
  ...overrides,
});

const mpRefund = (id: string, amount: number, status = 'approved'): MpRefund => ({
  id,
  paymentId: '100',
  amount,
  status,
  dateCreated: '2026-11-20T10:00:00.000-03:00',
});

const request = (amount: number | 'all', key = newId()) => ({
  refundId: newId(),
  amount,
  idempotencyKey: key,
  mercadoPagoIdempotencyKey: `mp-${key}`,
  by: 'tester',
  now: NOW,
});

const reserve = (ledger: PaymentLedger, amount: number | 'all', p = payment()) => {
  const result = reserveRefund(ledger, p, request(amount), 90);
  if (!result.ok) throw new Error(result.refusal.code);
  return result;
};

describe('reserveRefund checks, in API.md order', () => {
  it('refuses a payment that is not approved, saying when it is already fully refunded', () => {
    const refunded = payment({ status: 'refunded' });
    const result = reserveRefund(emptyLedger(refunded, NOW), refunded, request(10), 90);
    expect(result).toMatchObject({ ok: false, refusal: { code: 'PAYMENT_NOT_REFUNDABLE' } });
    expect(!result.ok && result.refusal.detail).toMatch(/already fully refunded/);
    const pending = payment({ status: 'pending' });
    expect(reserveRefund(emptyLedger(pending, NOW), pending, request(10), 90)).toMatchObject({
      refusal: { code: 'PAYMENT_NOT_REFUNDABLE' },
    });
  });

  it('refuses after the window, counted from date_approved or else date_created', () => {
    const old = payment({ dateApproved: '2026-01-01T00:00:00.000-00:00' });
    expect(reserveRefund(emptyLedger(old, NOW), old, request(10), 90)).toMatchObject({
      refusal: { code: 'REFUND_WINDOW_EXPIRED' },
    });
    expect(reserveRefund(emptyLedger(old, NOW), old, request(10), 365)).toMatchObject({ ok: true });
    const noApproval = payment({ dateApproved: null, dateCreated: '2026-01-01T00:00:00Z' });
    expect(reserveRefund(emptyLedger(noApproval, NOW), noApproval, request(10), 90)).toMatchObject({
      refusal: { code: 'REFUND_WINDOW_EXPIRED' },
    });
  });

  it('refuses the 21st refund of any origin that did not fail, {} included', () => {
    const refunds = Array.from({ length: 19 }, (_, i) => mpRefund(String(1000 + i), 1));
    let ledger = syncWithPayment(undefined, payment({ refunds }), NOW, 'mp', newId).ledger;
    ledger = reserve(ledger, 1).ledger;
    expect(totals(ledger).activeCount).toBe(MAX_ACTIVE_REFUNDS);
    expect(reserveRefund(ledger, payment(), request(1), 90)).toMatchObject({
      refusal: { code: 'REFUND_LIMIT_REACHED' },
    });
    expect(reserveRefund(ledger, payment(), request('all'), 90)).toMatchObject({
      refusal: { code: 'REFUND_LIMIT_REACHED' },
    });
  });

  it('failed refunds do not count toward the limit nor the amount', () => {
    let ledger = emptyLedger(payment(), NOW);
    const first = reserve(ledger, 10000);
    ledger = settleRefund(
      first.ledger,
      first.entry.id,
      { kind: 'refused', failure: { code: 'INSUFFICIENT_BALANCE', detail: 'x' } },
      NOW,
      't',
      newId,
    ).ledger;
    expect(totals(ledger)).toMatchObject({ activeCount: 0, refundableMinor: 10000 });
    expect(reserve(ledger, 10000).entry.amountMinor).toBe(10000);
  });

  it('refuses more than what is left, and {} when nothing is left', () => {
    let ledger = emptyLedger(payment(), NOW);
    expect(reserveRefund(ledger, payment(), request(10001), 90)).toMatchObject({
      refusal: { code: 'AMOUNT_EXCEEDS_REFUNDABLE' },
    });
    ledger = reserve(ledger, 6000).ledger;
    expect(reserve(ledger, 'all').entry.amountMinor).toBe(4000);
    ledger = reserve(ledger, 4000).ledger;
    const nothing = reserveRefund(ledger, payment(), request('all'), 90);
    expect(nothing).toMatchObject({ refusal: { code: 'AMOUNT_EXCEEDS_REFUNDABLE' } });
    expect(!nothing.ok && nothing.refusal.detail).toMatch(/pending/);
  });
});

describe('syncWithPayment matching', () => {
  it('links a reported refund to our oldest pending entry of the same amount, else records it external', () => {
    let ledger = emptyLedger(payment(), NOW);
    const a = reserve(ledger, 1000);
    ledger = a.ledger;
    const b = reserve(ledger, 1000);
    ledger = b.ledger;
    const synced = syncWithPayment(
      ledger,
      payment({ refunds: [mpRefund('9001', 10), mpRefund('9002', 25)] }),
      NOW,
      'mp',
      newId,
    );
    const byId = (id: string) => synced.ledger.refunds.find((e) => e.id === id)!;
    expect(byId(a.entry.id)).toMatchObject({ mercadoPagoRefundId: '9001', status: 'succeeded' });
    expect(byId(b.entry.id)).toMatchObject({ mercadoPagoRefundId: null, status: 'pending' });
    const external = synced.ledger.refunds.filter((e) => e.origin === 'external');
    expect(external).toHaveLength(1);
    expect(external[0]).toMatchObject({
      mercadoPagoRefundId: '9002',
      amountMinor: 2500,
      status: 'succeeded',
    });
    // Syncing again with the same report changes nothing.
    const again = syncWithPayment(
      synced.ledger,
      payment({ refunds: [mpRefund('9001', 10), mpRefund('9002', 25)] }),
      NOW,
      'mp',
      newId,
    );
    expect(again.changed).toBe(false);
    expect(again.ledger.refunds).toHaveLength(3);
  });

  it('records external refunds even when they over-commit the payment', () => {
    let ledger = reserve(emptyLedger(payment(), NOW), 8000).ledger;
    ledger = syncWithPayment(ledger, payment({ refunds: [mpRefund('1', 50)] }), NOW, 'mp', newId).ledger;
    expect(totals(ledger)).toMatchObject({ succeededMinor: 5000, pendingMinor: 8000, refundableMinor: 0 });
  });

  it('maps Mercado Pago refund statuses', () => {
    let ledger = reserve(emptyLedger(payment(), NOW), 1000).ledger;
    ledger = syncWithPayment(
      ledger,
      payment({ refunds: [mpRefund('1', 10, 'in_process')] }),
      NOW,
      'mp',
      newId,
    ).ledger;
    expect(ledger.refunds[0]).toMatchObject({
      status: 'pending',
      callState: 'accepted',
      mercadoPagoRefundId: '1',
    });
    ledger = syncWithPayment(
      ledger,
      payment({ refunds: [mpRefund('1', 10, 'rejected')] }),
      NOW,
      'mp',
      newId,
    ).ledger;
    expect(ledger.refunds[0]).toMatchObject({ status: 'failed', failure: { code: 'REFUND_REJECTED' } });
  });

  it('records status changes with their time', () => {
    const first = syncWithPayment(undefined, payment(), NOW, 'mp', newId).ledger;
    const changed = syncWithPayment(
      first,
      payment({ status: 'charged_back', statusDetail: 'reimbursed' }),
      NOW,
      'mp',
      newId,
    );
    expect(changed.events).toContainEqual(
      expect.objectContaining({ type: 'payment.status_changed', status: 'charged_back' }),
    );
    expect(changed.ledger.statusHistory.map((s) => s.status)).toEqual(['approved', 'charged_back']);
  });
});

describe('settleRefund', () => {
  it('never moves a settled refund back on a late outcome', () => {
    const { ledger, entry } = reserve(emptyLedger(payment(), NOW), 1000);
    const done = settleRefund(
      ledger,
      entry.id,
      { kind: 'created', refund: mpRefund('7', 10) },
      NOW,
      't',
      newId,
    ).ledger;
    const late = settleRefund(done, entry.id, { kind: 'unknown', note: 'late timeout' }, NOW, 't', newId);
    expect(late.changed).toBe(false);
    expect(late.ledger.refunds[0]?.status).toBe('succeeded');
  });

  it('takes back a Mercado Pago refund that a sync linked to another entry of the same amount', () => {
    let ledger = emptyLedger(payment(), NOW);
    const a = reserve(ledger, 1000);
    const b = reserve(a.ledger, 1000);
    ledger = syncWithPayment(b.ledger, payment({ refunds: [mpRefund('55', 10)] }), NOW, 'mp', newId).ledger;
    // The sync gave 55 to the oldest (a); Mercado Pago's answer to b's call says 55 is b's.
    ledger = settleRefund(
      ledger,
      b.entry.id,
      { kind: 'created', refund: mpRefund('55', 10) },
      NOW,
      't',
      newId,
    ).ledger;
    expect(ledger.refunds.find((e) => e.id === b.entry.id)).toMatchObject({
      mercadoPagoRefundId: '55',
      status: 'succeeded',
    });
    expect(ledger.refunds.find((e) => e.id === a.entry.id)).toMatchObject({
      mercadoPagoRefundId: null,
      status: 'pending',
    });
    expect(totals(ledger)).toMatchObject({ succeededMinor: 1000, pendingMinor: 1000 });
  });
});

describe('ledger invariant (property)', () => {
  type Op =
    | { op: 'reserve'; amount: number | 'all' }
    | { op: 'settle'; index: number; outcome: 'approved' | 'rejected' | 'unknown' | 'refused' };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      op: fc.constant('reserve' as const),
      amount: fc.oneof(fc.integer({ min: 1, max: 4000 }), fc.constant('all' as const)),
    }),
    fc.record({
      op: fc.constant('settle' as const),
      index: fc.nat({ max: 30 }),
      outcome: fc.constantFrom(
        'approved' as const,
        'rejected' as const,
        'unknown' as const,
        'refused' as const,
      ),
    }),
  );

  it('succeeded + pending of our own refunds never exceed the amount; never more than 20 active', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        let ledger = emptyLedger(payment(), NOW);
        let mpSeq = 0;
        for (const step of ops) {
          if (step.op === 'reserve') {
            const result = reserveRefund(ledger, payment(), request(step.amount), 90);
            if (result.ok) ledger = result.ledger;
          } else {
            // Outcomes arrive for calls in flight: pending entries. Mercado Pago answers one key with one refund.
            const pending = ledger.refunds.filter((e) => e.status === 'pending');
            const entry = pending[step.index % Math.max(1, pending.length)];
            if (!entry) continue;
            const outcome =
              step.outcome === 'unknown'
                ? ({ kind: 'unknown', note: 'x' } as const)
                : step.outcome === 'refused'
                  ? ({ kind: 'refused', failure: { code: 'INSUFFICIENT_BALANCE', detail: 'x' } } as const)
                  : ({
                      kind: 'created',
                      refund: mpRefund(
                        entry.mercadoPagoRefundId ?? String(++mpSeq),
                        entry.amountMinor / 100,
                        step.outcome,
                      ),
                    } as const);
            ledger = settleRefund(ledger, entry.id, outcome, NOW, 't', newId).ledger;
          }
          const sums = totals(ledger);
          expect(sums.succeededMinor + sums.pendingMinor).toBeLessThanOrEqual(ledger.totalMinor);
          expect(sums.activeCount).toBeLessThanOrEqual(MAX_ACTIVE_REFUNDS);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('stale reads never move state backwards', () => {
  it('a read showing a settled refund still in process leaves it settled', () => {
    const { ledger, entry } = reserve(emptyLedger(payment(), NOW), 1000);
    const settled = syncWithPayment(
      ledger,
      payment({ refunds: [mpRefund('5', 10, 'approved')] }),
      NOW,
      'mp',
      newId,
    ).ledger;
    const stale = syncWithPayment(
      settled,
      payment({ refunds: [mpRefund('5', 10, 'in_process')] }),
      NOW,
      'mp',
      newId,
    );
    expect(stale.ledger.refunds.find((e) => e.id === entry.id)?.status).toBe('succeeded');
    expect(stale.events).toEqual([]);
  });

  it('an older payment read changes no status', () => {
    const fresh = syncWithPayment(
      undefined,
      payment({
        status: 'refunded',
        statusDetail: 'refunded',
        dateLastUpdated: '2026-11-21T10:00:00.000-03:00',
      }),
      NOW,
      'mp',
      newId,
    ).ledger;
    const older = syncWithPayment(
      fresh,
      payment({ dateLastUpdated: '2026-11-21T09:00:00.000-03:00' }),
      NOW,
      'mp',
      newId,
    );
    expect(older.ledger.status).toBe('refunded');
    expect(older.changed).toBe(false);
  });

  it('fixes the body sent to Mercado Pago at reservation: {} only for a full refund of an untouched payment', () => {
    const full = reserve(emptyLedger(payment(), NOW), 'all');
    expect(refundRequestAmount(full.ledger, full.entry)).toBeUndefined();
    const partial = reserve(emptyLedger(payment(), NOW), 3000);
    const rest = reserve(partial.ledger, 'all');
    expect(refundRequestAmount(rest.ledger, rest.entry)).toBe(70);
    expect(refundRequestAmount(partial.ledger, partial.entry)).toBe(30);
  });
});

describe('a refusal of our own key wins over a link made by amount', () => {
  it('records the linked refund as made elsewhere and the entry failed', () => {
    const { ledger, entry } = reserve(emptyLedger(payment(), NOW), 1000);
    const linked = syncWithPayment(
      ledger,
      payment({ refunds: [mpRefund('77', 10)] }),
      NOW,
      'mp',
      newId,
    ).ledger;
    expect(linked.refunds[0]).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: '77' });
    const refused = settleRefund(
      linked,
      entry.id,
      { kind: 'refused', failure: { code: 'INSUFFICIENT_BALANCE', detail: 'x' } },
      NOW,
      't',
      newId,
    );
    expect(refused.ledger.refunds.find((e) => e.id === entry.id)).toMatchObject({
      status: 'failed',
      mercadoPagoRefundId: null,
      failure: { code: 'INSUFFICIENT_BALANCE' },
    });
    expect(refused.ledger.refunds.filter((e) => e.origin === 'external')).toEqual([
      expect.objectContaining({ mercadoPagoRefundId: '77', status: 'succeeded', amountMinor: 1000 }),
    ]);
    expect(refused.events.map((e) => e.type).sort()).toEqual(['refund.external_recorded', 'refund.failed']);
    expect(totals(refused.ledger)).toMatchObject({ succeededMinor: 1000, pendingMinor: 0 });
  });
});
