/** The pure rules of a payment's cancellation record (functions/shared/ledger/cancellation.ts). */
import { describe, expect, it } from 'vitest';
import {
  beginCancellation,
  cancellationState,
  checkCancellation,
  settleCancellation,
  settleCancellationWithPayment,
} from '../../functions/shared/ledger/cancellation.ts';
import type { PaymentLedger } from '../../functions/shared/ledger/types.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';
const T2 = '2026-01-01T00:00:02.000Z';

const ledger = (overrides: Partial<PaymentLedger> = {}): PaymentLedger => ({
  paymentId: '123',
  currency: 'BRL',
  totalMinor: 15_000,
  status: 'pending',
  statusDetail: 'pending_waiting_payment',
  statusHistory: [],
  refunds: [],
  createdAt: T0,
  updatedAt: T0,
  version: 3,
  ...overrides,
});

const attempt = (now: string, key: string | null = 'k1') => ({
  idempotencyKey: key,
  mercadoPagoIdempotencyKey: `mp-${key}`,
  by: 'arn:caller',
  now,
});

describe('checkCancellation: API.md order', () => {
  it('cancelled first (any detail), then in-person, then the status', () => {
    expect(checkCancellation({ id: '1', status: 'cancelled', inPerson: true })).toEqual({
      kind: 'already_cancelled',
    });
    expect(checkCancellation({ id: '1', status: 'pending', inPerson: true })).toMatchObject({
      code: 'IN_PERSON_PAYMENT_NOT_CANCELLABLE',
    });
    expect(checkCancellation({ id: '1', status: 'approved', inPerson: false })).toMatchObject({
      code: 'PAYMENT_NOT_CANCELLABLE',
      detail: expect.stringContaining('POST /payments/1/refunds'),
    });
    for (const status of ['pending', 'in_process', 'authorized']) {
      expect(checkCancellation({ id: '1', status, inPerson: false })).toEqual({ kind: 'cancellable' });
    }
    expect(checkCancellation({ id: '1', status: 'some_new_status', inPerson: false })).toMatchObject({
      code: 'PAYMENT_NOT_CANCELLABLE',
    });
  });
});

describe('the record', () => {
  it('begin: who, when, the keys; a first attempt', () => {
    const begun = beginCancellation(ledger(), attempt(T1));
    expect(begun.firstAttempt).toBe(true);
    expect(begun.ledger.cancellation).toEqual({
      status: 'pending',
      idempotencyKey: 'k1',
      mercadoPagoIdempotencyKey: 'mp-k1',
      requestedBy: 'arn:caller',
      attempts: 1,
      lastAttemptAt: T1,
      createdAt: T1,
      updatedAt: T1,
      history: [{ at: T1, status: 'pending', by: 'arn:caller', note: 'requested' }],
    });
    expect(begun.ledger.version).toBe(3);
  });

  it('a new attempt on a pending record is not a first attempt; on a failed one it is', () => {
    const pending = beginCancellation(ledger(), attempt(T0)).ledger;
    const retried = beginCancellation(pending, attempt(T1, null));
    expect(retried.firstAttempt).toBe(false);
    expect(retried.ledger.cancellation).toMatchObject({
      attempts: 2,
      idempotencyKey: null,
      createdAt: T0,
      lastAttemptAt: T1,
    });

    const failed = settleCancellation(
      pending,
      { kind: 'refused', failure: { code: 'UPSTREAM_UNAVAILABLE', detail: 'x' } },
      T1,
      'a',
    ).ledger;
    const again = beginCancellation(failed, attempt(T2));
    expect(again.firstAttempt).toBe(true);
    expect(again.ledger.cancellation!.failure).toBeUndefined();
    expect(again.ledger.cancellation!.history.map((t) => t.status)).toEqual(['pending', 'failed', 'pending']);
  });

  it('never backwards: a cancelled record does not move, whatever comes', () => {
    const pending = beginCancellation(ledger(), attempt(T0)).ledger;
    const cancelled = settleCancellation(
      pending,
      { kind: 'cancelled', statusDetail: 'by_collector' },
      T1,
      'a',
    ).ledger;
    expect(cancelled.cancellation!.status).toBe('cancelled');
    for (const outcome of [
      { kind: 'refused', failure: { code: 'PAYMENT_NOT_CANCELLABLE', detail: 'x' } },
      { kind: 'unknown', note: 'x' },
      { kind: 'cancelled', statusDetail: 'expired' },
    ] as const) {
      expect(settleCancellation(cancelled, outcome, T2, 'b')).toEqual({ ledger: cancelled, changed: false });
    }
    expect(beginCancellation(cancelled, attempt(T2)).changed).toBe(false);
    expect(
      settleCancellationWithPayment(cancelled, { status: 'approved', statusDetail: null }, T2, 'b').changed,
    ).toBe(false);
  });

  it('a failed record is not moved by a late outcome; only a new attempt reopens it', () => {
    const pending = beginCancellation(ledger(), attempt(T0)).ledger;
    const failed = settleCancellation(
      pending,
      { kind: 'refused', failure: { code: 'PAYMENT_NOT_CANCELLABLE', detail: 'x' } },
      T1,
      'a',
    ).ledger;
    expect(settleCancellation(failed, { kind: 'cancelled', statusDetail: null }, T2, 'b').changed).toBe(
      false,
    );
  });

  it('an unknown outcome keeps it pending and writes why in its history', () => {
    const pending = beginCancellation(ledger(), attempt(T0)).ledger;
    const unknown = settleCancellation(
      pending,
      { kind: 'unknown', note: 'outcome unknown (unknown_outcome 503)' },
      T1,
      'a',
    );
    expect(unknown.ledger.cancellation).toMatchObject({ status: 'pending', updatedAt: T1 });
    expect(unknown.ledger.cancellation!.history.at(-1)).toEqual({
      at: T1,
      status: 'pending',
      by: 'a',
      note: 'outcome unknown (unknown_outcome 503)',
    });
  });

  it('settled by the payment: cancelled -> cancelled; no longer cancellable -> failed; still cancellable -> pending', () => {
    const pending = beginCancellation(ledger(), attempt(T0)).ledger;
    expect(
      settleCancellationWithPayment(pending, { status: 'cancelled', statusDetail: 'expired' }, T1, 'mp')
        .ledger.cancellation,
    ).toMatchObject({ status: 'cancelled' });
    expect(
      settleCancellationWithPayment(pending, { status: 'approved', statusDetail: 'accredited' }, T1, 'mp')
        .ledger.cancellation,
    ).toMatchObject({ status: 'failed', failure: { code: 'PAYMENT_NOT_CANCELLABLE' } });
    expect(
      settleCancellationWithPayment(pending, { status: 'in_process', statusDetail: null }, T1, 'mp').changed,
    ).toBe(false);
    expect(
      settleCancellationWithPayment(ledger(), { status: 'cancelled', statusDetail: null }, T1, 'mp').changed,
    ).toBe(false);
  });

  it('state: the payment status cancelled wins; else the record', () => {
    expect(cancellationState(undefined)).toEqual({ status: 'pending' });
    expect(cancellationState(ledger({ status: 'cancelled', statusDetail: 'expired' }))).toEqual({
      status: 'cancelled',
      statusDetail: 'expired',
    });
    const pending = beginCancellation(ledger(), attempt(T0)).ledger;
    expect(cancellationState(pending)).toEqual({ status: 'pending' });
    const failed = settleCancellation(
      pending,
      { kind: 'refused', failure: { code: 'PAYMENT_NOT_CANCELLABLE', detail: 'no' } },
      T1,
      'a',
    ).ledger;
    expect(cancellationState(failed)).toEqual({
      status: 'failed',
      failure: { code: 'PAYMENT_NOT_CANCELLABLE', detail: 'no' },
    });
  });
});
