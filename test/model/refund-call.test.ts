/** What our own calls prove (API.md's evidence (1) and (2)), and when a refund may be sent again. */
import { describe, expect, it } from 'vitest';
import { RECONCILIATION } from '../../functions/model/actor.ts';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import { beginAttempt, recordRefundCall, refundsToResend } from '../../functions/model/ledger/refund-call.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import { DEFAULT_SETTLEMENT_SETTINGS } from '../../functions/model/settings.ts';
import {
  at,
  context,
  entry,
  ledgerOf,
  MINUTE,
  mpRefund,
  payment,
  reserve,
  SECOND,
  storedAfter,
} from './builders.ts';

const reserved = () => reserve(ledgerOf(), 'rf_a', 1000, 0).ledger;
const record = (
  ledger: Ledger,
  outcome: Parameters<typeof recordRefundCall>[3],
  ms = 1 * SECOND,
  attempt = 1,
) => recordRefundCall(ledger, 'rf_a', attempt, outcome, context(ms));

describe('recordRefundCall', () => {
  it('links the refund its own call answered, and settles it with one event', () => {
    const change = record(reserved(), { kind: 'answered', refund: mpRefund('900', 10), requestId: 'mp-1' });
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: '900' });
    expect(change.events).toEqual([
      { kind: 'refund.settled', refund: expect.objectContaining({ id: 'rf_a', status: 'succeeded' }) },
    ]);
    expect(change.ledger!.history.at(-1)).toMatchObject({
      change: 'refund_succeeded',
      mercadoPagoRequestId: 'mp-1',
    });
  });

  it('an answer naming another payment is not evidence: the outcome stays unknown, nothing is published', () => {
    const change = record(reserved(), {
      kind: 'answered',
      refund: mpRefund('900', 10, 'approved', 0, '777'),
    });
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({
      status: 'pending',
      mercadoPagoRefundId: null,
      call: { state: 'unknown' },
    });
    expect(change.events).toEqual([]);
    expect(change.ledger!.history.at(-1)).toMatchObject({ change: 'refund_answer_not_evidence' });
  });

  it('an answer with another amount records Mercado Pago\u2019s amount', () => {
    const change = record(reserved(), { kind: 'answered', refund: mpRefund('900', 90) });
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({ status: 'succeeded', amountMinor: 9000 });
  });

  it('an answer naming a refund linked to another of ours demotes nobody: a contradiction for a person', () => {
    let ledger = reserve(ledgerOf(), 'rf_x', 1000, 0).ledger;
    ledger = storedAfter(
      ledger,
      recordRefundCall(
        ledger,
        'rf_x',
        1,
        { kind: 'answered', refund: mpRefund('900', 10) },
        context(1 * SECOND),
      ),
    );
    ledger = reserve(ledger, 'rf_a', 1000, 2 * SECOND).ledger;
    const change = record(ledger, { kind: 'answered', refund: mpRefund('900', 10) }, 3 * SECOND);
    expect(entry(change.ledger!, 'rf_x')).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: '900' });
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({
      status: 'pending',
      mercadoPagoRefundId: null,
      call: { state: 'unknown' },
    });
    expect(change.ledger!.attention).toEqual([
      expect.objectContaining({ kind: 'settlement_contradiction', refundId: 'rf_x' }),
    ]);
    expect(change.events.map((e) => e.kind)).toEqual(['attention.raised']);
  });

  it('nothing done (first attempt certainly not received): the reservation is withdrawn, history only, no event', () => {
    const change = record(reserved(), { kind: 'not_sent', detail: 'Mercado Pago was unavailable (429)' });
    expect(change.result).toEqual({ kind: 'withdrawn' });
    expect(change.ledger!.refunds).toEqual([]);
    expect(change.ledger!.schedule).toBeUndefined();
    expect(change.events).toEqual([]);
    expect(change.ledger!.history.at(-1)).toMatchObject({ change: 'refund_not_sent' });
  });

  it('a refusal fails it with its code; an unmapped one also frees the caller\u2019s key', () => {
    const mapped = record(reserved(), {
      kind: 'refused',
      failure: { code: 'INSUFFICIENT_BALANCE', detail: 'd' },
      freesKey: false,
    });
    expect(entry(mapped.ledger!, 'rf_a')).toMatchObject({
      status: 'failed',
      failure: { code: 'INSUFFICIENT_BALANCE' },
    });
    expect(entry(mapped.ledger!, 'rf_a')).not.toHaveProperty('keyFreed');
    const unmapped = record(reserved(), {
      kind: 'refused',
      failure: { code: 'UPSTREAM_ERROR', detail: 'd' },
      freesKey: true,
    });
    expect(entry(unmapped.ledger!, 'rf_a')).toMatchObject({ status: 'failed', keyFreed: true });
    expect(unmapped.events.map((e) => e.kind)).toEqual(['refund.settled']);
  });

  it('an unknown outcome ends the attempt (pending, re-sendable); a late one of an older attempt changes nothing', () => {
    const ledger = storedAfter(reserved(), record(reserved(), { kind: 'unknown', detail: '5xx' }));
    expect(entry(ledger, 'rf_a')).toMatchObject({
      status: 'pending',
      call: { state: 'unknown', attempts: 1 },
    });
    const again = storedAfter(
      ledger,
      beginAttempt(ledger, 'rf_a', at(3 * MINUTE), context(2 * MINUTE, RECONCILIATION), 'test'),
    );
    expect(record(again, { kind: 'unknown', detail: 'late' }, 2 * MINUTE + 1, 1).ledger).toBeNull();
    expect(
      record(
        again,
        { kind: 'refused', failure: { code: 'REFUND_REJECTED', detail: 'd' }, freesKey: false },
        2 * MINUTE + 1,
        1,
      ).ledger,
    ).toBeNull();
    // ...but a late answer of any attempt is evidence: it is the same key.
    const late = record(again, { kind: 'answered', refund: mpRefund('900', 10) }, 2 * MINUTE + 1, 1);
    expect(entry(late.ledger!, 'rf_a')).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: '900' });
  });
});

describe('beginAttempt', () => {
  const unknown = () => storedAfter(reserved(), record(reserved(), { kind: 'unknown', detail: 'lost' }));

  it('is refused while an attempt may still be running (its lock), then ready with the next attempt number', () => {
    expect(beginAttempt(reserved(), 'rf_a', at(1 * MINUTE), context(10 * SECOND), 'x').result.kind).toBe(
      'busy',
    );
    const ready = beginAttempt(reserved(), 'rf_a', at(2 * MINUTE), context(28 * SECOND), 'resumed');
    expect(ready.result).toMatchObject({ kind: 'ready', attempt: 2 });
    expect(entry(ready.ledger!, 'rf_a').call).toEqual({
      state: 'in_flight',
      attempts: 2,
      lastAttemptAt: at(28 * SECOND),
      inFlightUntil: at(2 * MINUTE),
    });
  });

  it('past the re-send window it is too late: an attempt left in flight by a dead function is recorded as ended', () => {
    const dead = beginAttempt(reserved(), 'rf_a', at(20 * MINUTE), context(11 * MINUTE), 'x');
    expect(dead.result.kind).toBe('too_late');
    expect(entry(dead.ledger!, 'rf_a').call.state).toBe('unknown');
    expect(beginAttempt(unknown(), 'rf_a', at(20 * MINUTE), context(11 * MINUTE), 'x')).toMatchObject({
      ledger: null,
      result: { kind: 'too_late' },
    });
  });

  it('is too late after five attempts, and has nothing to send once settled or linked', () => {
    let ledger = unknown();
    for (let i = 2; i <= 5; i++) {
      ledger = storedAfter(
        ledger,
        beginAttempt(ledger, 'rf_a', at(i * MINUTE + 30 * SECOND), context(i * MINUTE), 'x'),
      );
      ledger = storedAfter(
        ledger,
        recordRefundCall(ledger, 'rf_a', i, { kind: 'unknown', detail: 'x' }, context(i * MINUTE + SECOND)),
      );
    }
    expect(beginAttempt(ledger, 'rf_a', at(7 * MINUTE), context(6 * MINUTE), 'x').result.kind).toBe(
      'too_late',
    );
    const settled = storedAfter(
      reserved(),
      record(reserved(), { kind: 'answered', refund: mpRefund('900', 10) }),
    );
    expect(beginAttempt(settled, 'rf_a', at(2 * MINUTE), context(1 * MINUTE), 'x').result.kind).toBe('known');
  });
});

describe('keys and re-sends', () => {
  it('one Mercado Pago key per reservation, derived from its id; a migrated refund keeps the key it was sent with', () => {
    expect(mercadoPagoRefundKey({ id: 'rf_a' })).toBe(mercadoPagoRefundKey({ id: 'rf_a' }));
    expect(mercadoPagoRefundKey({ id: 'rf_a' })).not.toBe(mercadoPagoRefundKey({ id: 'rf_b' }));
    expect(mercadoPagoRefundKey({ id: 'rf_a', mercadoPagoKey: 'legacy-key' })).toBe('legacy-key');
  });

  it('re-sends unknown refunds within their window whatever unrelated refunds the payment has; never one in flight', () => {
    let ledger = reserve(ledgerOf(payment({ refunds: [] })), 'rf_a', 200, 0).ledger;
    ledger = storedAfter(ledger, record(ledger, { kind: 'unknown', detail: '500' }));
    ledger = reserve(ledger, 'rf_b', 300, 1 * MINUTE).ledger;
    const settings = DEFAULT_SETTLEMENT_SETTINGS;
    expect(
      refundsToResend(ledger, Date.parse(at(1 * MINUTE + 10 * SECOND)), settings).map((e) => e.id),
    ).toEqual(['rf_a']);
    // rf_b's function died (its lock has expired): it is re-sent too.
    expect(refundsToResend(ledger, Date.parse(at(2 * MINUTE)), settings).map((e) => e.id)).toEqual([
      'rf_a',
      'rf_b',
    ]);
    expect(refundsToResend(ledger, Date.parse(at(11 * MINUTE)), settings).map((e) => e.id)).toEqual(['rf_b']);
  });
});
