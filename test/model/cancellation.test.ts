/** A cancellation's rules: the checks, the attempts and their keys, what settles it. */
import { describe, expect, it } from 'vitest';
import { caller, RECONCILIATION } from '../../functions/model/actor.ts';
import {
  beginCancellation,
  cancellationState,
  checkCancellation,
  mercadoPagoCancellationKey,
  recordCancellationCall,
} from '../../functions/model/ledger/cancellation.ts';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import { at, context, ledgerOf, MINUTE, payment, read, SECOND, storedAfter } from './builders.ts';

const pending = () => ledgerOf(payment({ status: 'pending', statusDetail: 'pending_waiting_payment' }));
const begin = (ledger: Ledger, ms: number, key: string | null = 'k1') =>
  beginCancellation(
    ledger,
    { idempotencyKey: key, lockUntil: at(ms + 27 * SECOND) },
    context(ms, caller('c')),
  );

describe('checkCancellation: API.md order', () => {
  it('cancelled first (any detail), then in-person, then the status', () => {
    expect(checkCancellation({ id: '1', status: 'cancelled', inPerson: true })).toEqual({
      kind: 'already_cancelled',
    });
    expect(checkCancellation({ id: '1', status: 'pending', inPerson: true })).toMatchObject({
      failure: { code: 'IN_PERSON_PAYMENT_NOT_CANCELLABLE' },
    });
    expect(checkCancellation({ id: '1', status: 'approved', inPerson: false })).toMatchObject({
      failure: {
        code: 'PAYMENT_NOT_CANCELLABLE',
        detail: expect.stringContaining('POST /payments/1/refunds'),
      },
    });
    for (const status of ['pending', 'in_process', 'authorized'])
      expect(checkCancellation({ id: '1', status, inPerson: false })).toEqual({ kind: 'cancellable' });
  });
});

describe('attempts and keys', () => {
  it('a first attempt: pending, in flight, its key derived from the payment and the caller\u2019s key', () => {
    const change = begin(pending(), 0);
    expect(change.result).toMatchObject({
      kind: 'ready',
      attempt: 1,
      mercadoPagoKey: mercadoPagoCancellationKey('1', { idempotencyKey: 'k1', sequence: 1 }),
    });
    expect(change.ledger!.cancellation).toMatchObject({
      status: 'pending',
      sequence: 1,
      call: { state: 'in_flight', attempts: 1 },
    });
    expect(change.ledger!.schedule).toBeDefined();
  });

  it('busy while in flight; a retry afterwards is another attempt with the same key; past the window, too late', () => {
    const ledger = storedAfter(pending(), begin(pending(), 0));
    expect(begin(ledger, 10 * SECOND).result.kind).toBe('busy');
    const unknown = storedAfter(
      ledger,
      recordCancellationCall(ledger, 1, { kind: 'unknown', detail: '5xx' }, context(1 * SECOND)),
    );
    const retry = begin(unknown, 1 * MINUTE);
    expect(retry.result).toMatchObject({
      kind: 'ready',
      attempt: 2,
      mercadoPagoKey: mercadoPagoCancellationKey('1', { idempotencyKey: 'k1', sequence: 1 }),
    });
    expect(begin(unknown, 11 * MINUTE).result.kind).toBe('too_late');
  });

  it('after a failure, a new request starts a new sequence with a new key', () => {
    let ledger = storedAfter(pending(), begin(pending(), 0));
    ledger = storedAfter(
      ledger,
      recordCancellationCall(
        ledger,
        1,
        { kind: 'refused', failure: { code: 'PAYMENT_NOT_CANCELLABLE', detail: 'd' }, freesKey: false },
        context(1 * SECOND),
      ),
    );
    expect(cancellationState(ledger)).toMatchObject({ status: 'failed' });
    const again = begin(ledger, 1 * MINUTE);
    expect(again.result).toMatchObject({ kind: 'ready', attempt: 1 });
    expect(again.ledger!.cancellation!.sequence).toBe(2);
    expect((again.result as { mercadoPagoKey: string }).mercadoPagoKey).not.toBe(
      mercadoPagoCancellationKey('1', { idempotencyKey: 'k1', sequence: 1 }),
    );
  });

  it('nothing done withdraws the attempt: no record (or the failed one restored), history only', () => {
    const ledger = storedAfter(pending(), begin(pending(), 0));
    const withdrawn = recordCancellationCall(
      ledger,
      1,
      { kind: 'not_sent', detail: '429' },
      context(1 * SECOND),
    );
    expect(withdrawn.result.withdrawn).toBe(true);
    expect(withdrawn.ledger!.cancellation).toBeUndefined();
    expect(withdrawn.ledger!.schedule).toBeUndefined();
    expect(withdrawn.events).toEqual([]);
  });
});

describe('what settles it', () => {
  it('the answer\u2019s status: cancelled -> cancelled (and the payment\u2019s status); cancellable -> still unknown; else failed', () => {
    const ledger = storedAfter(pending(), begin(pending(), 0));
    const cancelled = recordCancellationCall(
      ledger,
      1,
      { kind: 'answered', status: 'cancelled', statusDetail: 'by_collector' },
      context(1 * SECOND),
    );
    expect(cancelled.ledger).toMatchObject({ status: 'cancelled', cancellation: { status: 'cancelled' } });
    expect(cancelled.events.map((e) => e.kind)).toEqual(['status.changed', 'cancellation.settled']);
    const still = recordCancellationCall(
      ledger,
      1,
      { kind: 'answered', status: 'pending', statusDetail: null },
      context(1 * SECOND),
    );
    expect(still.ledger!.cancellation).toMatchObject({ status: 'pending', call: { state: 'unknown' } });
    const paid = recordCancellationCall(
      ledger,
      1,
      { kind: 'answered', status: 'approved', statusDetail: 'accredited' },
      context(1 * SECOND),
    );
    expect(paid.ledger!.cancellation).toMatchObject({
      status: 'failed',
      failure: { code: 'PAYMENT_NOT_CANCELLABLE' },
    });
  });

  it('a read settles a pending one; a cancelled one never moves again', () => {
    const ledger = storedAfter(pending(), begin(pending(), 0));
    const read1 = applyPaymentRead(
      ledger,
      read(payment({ status: 'cancelled', statusDetail: 'by_collector' }), 1 * MINUTE),
      context(1 * MINUTE, RECONCILIATION),
    );
    const cancelled = storedAfter(ledger, read1);
    expect(cancelled.cancellation!.status).toBe('cancelled');
    expect(begin(cancelled, 2 * MINUTE).result.kind).toBe('cancelled');
    expect(cancellationState(cancelled)).toEqual({ status: 'cancelled', statusDetail: 'by_collector' });
  });
});
