/**
 * A read of a payment applied to its ledger (notifications, GET, reconciliation): what it may link, hold,
 * record, correct, and what it may never change. The evidence rules of API.md, one at a time.
 */
import { describe, expect, it } from 'vitest';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import { recordRefundCall } from '../../functions/model/ledger/refund-call.ts';
import { totals } from '../../functions/model/ledger/totals.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import {
  at,
  context,
  entry,
  ledgerOf,
  MINUTE,
  mpRefund,
  payment,
  read,
  reserve,
  SECOND,
  storedAfter,
} from './builders.ts';

const apply = (ledger: Ledger, refunds: ReturnType<typeof mpRefund>[], ms: number, extra = {}) =>
  applyPaymentRead(ledger, read(payment({ refunds, ...extra }), ms), context(ms));

describe('a Mercado Pago refund linked to none of ours', () => {
  it('is held while a refund of ours of that amount is still in flight: counted once, not listed, not linked', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_b', 1000, 0);
    const change = apply(ledger, [mpRefund('900', 10, 'approved', 1 * SECOND)], 2 * SECOND);
    expect(change.result.held).toEqual(['900']);
    expect(change.ledger).toBeNull();
    expect(change.events).toEqual([]);
    expect(totals(ledger)).toMatchObject({ pendingMinor: 1000, activeCount: 1, refundableMinor: 9000 });
  });

  it('is held while an unknown refund of ours of that amount is within its re-send window, whatever the read says', () => {
    let { ledger } = reserve(ledgerOf(), 'rf_a', 1000, 0);
    ledger = storedAfter(
      ledger,
      recordRefundCall(ledger, 'rf_a', 1, { kind: 'unknown', detail: 'lost' }, context(1 * SECOND)),
    );
    for (const ms of [10 * SECOND, 5 * MINUTE, 9 * MINUTE]) {
      const change = apply(ledger, [mpRefund('900', 10, 'approved', 500)], ms);
      expect(change.result.held).toEqual(['900']);
      expect(entry(change.ledger ?? ledger, 'rf_a')).toMatchObject({
        status: 'pending',
        mercadoPagoRefundId: null,
      });
    }
  });

  it('is recorded as made elsewhere when no refund of ours could be it: another amount, or made before ours', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_a', 1000, 10 * MINUTE);
    const change = apply(
      ledger,
      [mpRefund('901', 5.55, 'approved', 11 * MINUTE), mpRefund('902', 10, 'approved', 8 * MINUTE)],
      12 * MINUTE,
    );
    const stored = change.ledger!;
    expect(
      stored.refunds
        .filter((e) => e.origin === 'external')
        .map((e) => [e.mercadoPagoRefundId, e.amountMinor, e.status]),
    ).toEqual([
      ['902', 1000, 'succeeded'],
      ['901', 555, 'succeeded'],
    ]);
    expect(change.events.filter((e) => e.kind === 'refund.settled')).toHaveLength(2);
    expect(entry(stored, 'rf_a')).toMatchObject({ status: 'pending', mercadoPagoRefundId: null });
  });

  it('allows the clock tolerance: a refund dated up to 60 s before our reservation can still be ours', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_a', 1000, 10 * MINUTE);
    expect(
      apply(ledger, [mpRefund('900', 10, 'approved', 10 * MINUTE - 50 * SECOND)], 10 * MINUTE + 1).result
        .held,
    ).toEqual(['900']);
  });

  it('holds as many as there are candidates, oldest first: a second one of the same amount is made elsewhere', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_a', 1000, 0);
    const change = apply(
      ledger,
      [mpRefund('901', 10, 'approved', 2 * SECOND), mpRefund('900', 10, 'approved', 1 * SECOND)],
      3 * SECOND,
    );
    expect(change.result.held).toEqual(['900']);
    expect(
      change.ledger!.refunds.filter((e) => e.origin === 'external').map((e) => e.mercadoPagoRefundId),
    ).toEqual(['901']);
    expect(totals(change.ledger!)).toMatchObject({
      pendingMinor: 1000,
      succeededMinor: 1000,
      activeCount: 2,
    });
  });

  it('rule 3: linked to the oldest unknown refund of that amount once none can get evidence of its own any more', () => {
    let { ledger } = reserve(ledgerOf(), 'rf_a', 1000, 0);
    ledger = storedAfter(
      ledger,
      recordRefundCall(ledger, 'rf_a', 1, { kind: 'unknown', detail: 'lost' }, context(2 * SECOND)),
    );
    ledger = reserve(ledger, 'rf_c', 1000, 30 * SECOND).ledger;
    ledger = storedAfter(
      ledger,
      recordRefundCall(ledger, 'rf_c', 1, { kind: 'unknown', detail: 'lost' }, context(32 * SECOND)),
    );
    const refunds = [mpRefund('900', 10, 'approved', 1 * SECOND)];
    // rf_a is past its window, rf_c (reserved before 900 too, with the tolerance) is not: still held.
    expect(apply(ledger, refunds, 10 * MINUTE + 10 * SECOND).result.held).toEqual(['900']);
    // Both past their windows: the oldest takes it.
    const change = apply(ledger, refunds, 11 * MINUTE);
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: '900' });
    expect(entry(change.ledger!, 'rf_c')).toMatchObject({ status: 'pending', mercadoPagoRefundId: null });
    expect(
      change.ledger!.history.some((h) => h.change === 'refund_linked' && h.detail.includes('rule 3')),
    ).toBe(true);
  });

  it("rule 3 never takes a refund made after the candidate's last attempt had certainly ended", () => {
    let { ledger } = reserve(ledgerOf(), 'rf_a', 1000, 0);
    ledger = storedAfter(
      ledger,
      recordRefundCall(ledger, 'rf_a', 1, { kind: 'unknown', detail: 'lost' }, context(2 * SECOND)),
    );
    const change = apply(ledger, [mpRefund('900', 10, 'approved', 5 * MINUTE)], 11 * MINUTE);
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'pending', mercadoPagoRefundId: null });
    expect(change.ledger!.refunds.find((e) => e.origin === 'external')).toMatchObject({
      mercadoPagoRefundId: '900',
    });
  });

  it('a refund naming another payment in the read is not evidence of anything here', () => {
    const ledger = ledgerOf();
    const change = apply(ledger, [mpRefund('900', 10, 'approved', 0, '777')], 1 * SECOND);
    expect(change.ledger).toBeNull();
  });
});

describe('a Mercado Pago refund linked to an entry', () => {
  const linked = (status = 'in_process') => {
    const { ledger } = reserve(ledgerOf(), 'rf_a', 1000, 0);
    return storedAfter(
      ledger,
      recordRefundCall(
        ledger,
        'rf_a',
        1,
        { kind: 'answered', refund: mpRefund('900', 10, status, 1 * SECOND) },
        context(1 * SECOND),
      ),
    );
  };

  it('settles a pending one with its event; in_process keeps it pending, accepted', () => {
    const accepted = linked('in_process');
    expect(entry(accepted, 'rf_a')).toMatchObject({ status: 'pending', call: { state: 'accepted' } });
    const change = apply(accepted, [mpRefund('900', 10, 'approved', 1 * SECOND)], 1 * MINUTE);
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'succeeded', settledBy: 'mercadopago' });
    expect(change.events.map((e) => e.kind)).toEqual(['refund.settled']);
    const rejected = apply(accepted, [mpRefund('900', 10, 'rejected', 1 * SECOND)], 1 * MINUTE);
    expect(entry(rejected.ledger!, 'rf_a')).toMatchObject({
      status: 'failed',
      failure: { code: 'REFUND_REJECTED' },
    });
  });

  it('final states are final: a succeeded refund shown rejected is a contradiction for a person, nothing changed', () => {
    const succeeded = linked('approved');
    const change = apply(succeeded, [mpRefund('900', 10, 'rejected', 1 * SECOND)], 1 * MINUTE);
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: '900' });
    expect(change.ledger!.attention).toEqual([
      expect.objectContaining({
        kind: 'settlement_contradiction',
        refundId: 'rf_a',
        mercadoPagoRefundId: '900',
      }),
    ]);
    expect(change.events.map((e) => e.kind)).toEqual(['attention.raised']);
    // The same finding is recorded once.
    expect(
      apply(change.ledger!, [mpRefund('900', 10, 'rejected', 1 * SECOND)], 2 * MINUTE).ledger,
    ).toBeNull();
  });

  it('an older read (in_process) of a settled refund says nothing', () => {
    expect(
      apply(linked('approved'), [mpRefund('900', 10, 'in_process', 1 * SECOND)], 1 * MINUTE).ledger,
    ).toBeNull();
  });

  it('amounts follow Mercado Pago, final ones included', () => {
    const change = apply(linked('approved'), [mpRefund('900', 90, 'approved', 1 * SECOND)], 1 * MINUTE);
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'succeeded', amountMinor: 9000 });
    expect(totals(change.ledger!).refundableMinor).toBe(1000);
  });

  it('a linked refund that a fresh read no longer shows is a contradiction; a read from around the link is not', () => {
    const succeeded = linked('approved');
    expect(apply(succeeded, [], 30 * SECOND).ledger).toBeNull();
    const change = apply(succeeded, [], 5 * MINUTE);
    expect(change.ledger!.attention).toEqual([
      expect.objectContaining({
        kind: 'settlement_contradiction',
        detail: expect.stringContaining('no longer shown'),
      }),
    ]);
    expect(entry(change.ledger!, 'rf_a').status).toBe('succeeded');
  });

  it('a status word without a rule keeps it pending and is listed for a person, never failed', () => {
    const change = apply(linked('in_process'), [mpRefund('900', 10, 'in_mediation', 1 * SECOND)], 1 * MINUTE);
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'pending' });
    expect(change.ledger!.attention).toEqual([expect.objectContaining({ kind: 'refund_status_unknown' })]);
  });
});

describe("the payment's status", () => {
  const refunded = () =>
    storedAfter(
      ledgerOf(),
      apply(ledgerOf(), [], 1 * MINUTE, {
        status: 'refunded',
        statusDetail: 'refunded',
        dateLastUpdated: at(1 * MINUTE),
      }),
    );

  it('never moves backwards: a read with an older date, or without one and of a lower rank, changes nothing', () => {
    const ledger = refunded();
    expect(ledger).toMatchObject({ status: 'refunded', statusUpdatedAt: at(1 * MINUTE) });
    for (const dateLastUpdated of [null, at(1 * MINUTE), at(30 * SECOND)]) {
      const change = apply(ledger, [], 2 * MINUTE, {
        status: 'approved',
        statusDetail: 'accredited',
        dateLastUpdated,
      });
      expect(change.ledger).toBeNull();
      expect(change.events).toEqual([]);
      expect(change.result.statusApplied).toBe(false);
    }
  });

  it('a newer date wins even against the order (a claim resolved: in_mediation -> approved)', () => {
    const mediated = storedAfter(
      ledgerOf(),
      apply(ledgerOf(), [], 1 * MINUTE, { status: 'in_mediation', dateLastUpdated: at(1 * MINUTE) }),
    );
    const change = apply(mediated, [], 2 * MINUTE, { status: 'approved', dateLastUpdated: at(2 * MINUTE) });
    expect(change.ledger!.status).toBe('approved');
    expect(change.events).toEqual([
      expect.objectContaining({ kind: 'status.changed', previousStatus: 'in_mediation', status: 'approved' }),
    ]);
  });

  it('a read that brings no news writes nothing: the same status with a newer date, or a refund-bookkeeping detail', () => {
    const ledger = ledgerOf();
    expect(apply(ledger, [], 1 * MINUTE, { dateLastUpdated: at(1 * MINUTE) }).ledger).toBeNull();
    expect(apply(ledger, [], 1 * MINUTE, { statusDetail: 'partially_refunded' }).ledger).toBeNull();
  });
});
