/** API.md's checks before any call, in its order, on the ledger just synced with a fresh read. */
import { describe, expect, it } from 'vitest';
import { caller } from '../../functions/model/actor.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import { at, context, ledgerOf, mpRefund, payment, reserve, SECOND } from './builders.ts';

const DAY = 86_400_000;
const attempt = (ledger: Ledger, amount: number | 'all', approvedAt = at(-DAY)) =>
  reserveRefund(
    ledger,
    { refundId: 'rf_new', amount, idempotencyKey: 'k', fingerprint: 'f', lockUntil: at(27 * SECOND) },
    { windowDays: 90, approvedAt },
    context(0, caller('c')),
  ).result;

describe('reserveRefund checks, in API.md order', () => {
  it('charged back, then in mediation, then not approved (saying when it is already fully refunded)', () => {
    expect(attempt(ledgerOf(payment({ status: 'charged_back', statusDetail: 'settled' })), 10)).toMatchObject(
      {
        kind: 'refused',
        failure: { code: 'PAYMENT_CHARGED_BACK' },
      },
    );
    expect(attempt(ledgerOf(payment({ status: 'in_mediation' })), 10)).toMatchObject({
      failure: { code: 'PAYMENT_IN_MEDIATION' },
    });
    expect(attempt(ledgerOf(payment({ status: 'pending' })), 10)).toMatchObject({
      failure: { code: 'PAYMENT_NOT_REFUNDABLE', detail: expect.stringContaining('pending') },
    });
    expect(attempt(ledgerOf(payment({ status: 'refunded' })), 10)).toMatchObject({
      failure: { code: 'PAYMENT_NOT_REFUNDABLE', detail: 'The payment is already fully refunded.' },
    });
  });

  it('refuses after the window, counted from the approval date given', () => {
    expect(attempt(ledgerOf(), 10, at(-91 * DAY))).toMatchObject({
      failure: { code: 'REFUND_WINDOW_EXPIRED' },
    });
    expect(attempt(ledgerOf(), 10, at(-89 * DAY))).toMatchObject({ kind: 'reserved' });
  });

  it('refuses the 21st refund of any origin that did not fail, {} included; failed ones do not count', () => {
    const refunds = Array.from({ length: 19 }, (_, i) => mpRefund(`${100 + i}`, 1));
    let ledger = ledgerOf(payment({ refunds: [...refunds, mpRefund('999', 1, 'rejected')] }));
    ledger = reserve(ledger, 'rf_20', 1, 0).ledger;
    expect(attempt(ledger, 1)).toMatchObject({ failure: { code: 'REFUND_LIMIT_REACHED' } });
    expect(attempt(ledger, 'all')).toMatchObject({ failure: { code: 'REFUND_LIMIT_REACHED' } });
  });

  it('refuses more than what is left (pending refunds count), and {} when nothing is left', () => {
    let ledger = ledgerOf(payment({ refunds: [mpRefund('100', 30)] }));
    ledger = reserve(ledger, 'rf_a', 6000, 0).ledger;
    expect(attempt(ledger, 1001)).toMatchObject({
      failure: { code: 'AMOUNT_EXCEEDS_REFUNDABLE', detail: expect.stringContaining('10 BRL') },
    });
    expect(attempt(ledger, 1000)).toMatchObject({ kind: 'reserved', entry: { amountMinor: 1000 } });
    ledger = reserve(ledger, 'rf_b', 'all', 0).ledger;
    expect(attempt(ledger, 'all')).toMatchObject({
      failure: { detail: 'Nothing is left to refund: the rest of the payment is in pending refunds.' },
    });
  });

  it('fixes the body at reservation: {} only for a full refund of an untouched payment', () => {
    expect(reserve(ledgerOf(), 'rf_1', 'all', 0).entry).toMatchObject({
      sendsEmptyBody: true,
      fullRefund: true,
      amountMinor: 10000,
    });
    const touched = ledgerOf(payment({ refunds: [mpRefund('100', 1)] }));
    expect(reserve(touched, 'rf_2', 'all', 0).entry).toMatchObject({
      sendsEmptyBody: false,
      amountMinor: 9900,
    });
    expect(reserve(ledgerOf(), 'rf_3', 10000, 0).entry).toMatchObject({
      sendsEmptyBody: false,
      fullRefund: false,
    });
  });

  it('records the reservation in flight until its lock, its key, its fingerprint, and schedules a first check', () => {
    const { ledger, entry } = reserve(ledgerOf(), 'rf_1', 500, 0);
    expect(entry).toMatchObject({
      origin: 'api',
      status: 'pending',
      mercadoPagoRefundId: null,
      idempotencyKey: 'key-rf_1',
      fingerprint: 'fp-rf_1',
      call: { state: 'in_flight', attempts: 1, inFlightUntil: at(27 * SECOND) },
    });
    // Left to the sweep of new refunds (no due-index entry) while it is this new.
    expect(ledger.schedule).toEqual({
      nextCheckAt: at(120 * SECOND),
      checks: 0,
      leftToSweepUntil: at(30 * SECOND),
    });
    expect(ledger.history.at(-1)).toMatchObject({
      change: 'refund_reserved',
      by: 'arn:aws:iam::1:user/merchant',
    });
  });
});
