/**
 * Which ledgers are left out of the due-work index to the sweep of new refunds, and the hand-over when the
 * sweep finds one of their refunds still pending (model/ledger/change.ts).
 */
import { describe, expect, it } from 'vitest';
import { beginCancellation } from '../../functions/model/ledger/cancellation.ts';
import {
  handOverToReconciliation,
  leftToTheSweep,
  RESERVATIONS_LAND_WITHIN_MS,
} from '../../functions/model/ledger/change.ts';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import { DEFAULT_SETTLEMENT_SETTINGS } from '../../functions/model/settings.ts';
import {
  at,
  context,
  entry,
  ledgerOf,
  mpRefund,
  payment,
  read,
  reserve,
  SECOND,
  storedAfter,
} from './builders.ts';

const { firstCheckAfterMs, clockToleranceMs } = DEFAULT_SETTLEMENT_SETTINGS;
/** How long after its creation a refund can keep its ledger out of the index (30 s by default). */
const WINDOW = firstCheckAfterMs - clockToleranceMs - RESERVATIONS_LAND_WITHIN_MS;

describe('leftToTheSweep', () => {
  it('a new refund of ours, and nothing else pending: left to the sweep until the window ends', () => {
    expect(WINDOW).toBe(30 * SECOND);
    const { ledger } = reserve(ledgerOf(), 'rf_1', 500, 0);
    expect(ledger.schedule?.leftToSweepUntil).toEqual(expect.any(String));
    expect(leftToTheSweep(ledger, context(WINDOW - 1))).toBe(true);
    expect(leftToTheSweep(ledger, context(WINDOW))).toBe(false);
  });

  it('a write past the window puts the ledger in the index; one within it keeps it out', () => {
    const reserved = reserve(ledgerOf(), 'rf_1', 500, 0).ledger;
    // A read that brings news (a refund made elsewhere) within the window, then past it.
    const facts = payment({ refunds: [mpRefund('900', 1, 'approved', 10 * SECOND)] });
    const within = applyPaymentRead(reserved, read(facts, 20 * SECOND), context(20 * SECOND));
    expect(within.ledger?.schedule?.leftToSweepUntil).toEqual(expect.any(String));
    const past = applyPaymentRead(reserved, read(facts, WINDOW + SECOND), context(WINDOW + SECOND));
    expect(past.ledger?.schedule).toMatchObject({ nextCheckAt: at(firstCheckAfterMs), checks: 0 });
    expect(past.ledger?.schedule?.leftToSweepUntil).toBeUndefined();
  });

  it('anything else pending keeps the ledger in the index: a cancellation, an older refund', () => {
    const reserved = reserve(ledgerOf(), 'rf_1', 500, 0).ledger;
    const cancelling = storedAfter(
      reserved,
      beginCancellation(reserved, { idempotencyKey: null, lockUntil: at(30 * SECOND) }, context(SECOND)),
    );
    expect(cancelling.cancellation?.status).toBe('pending');
    expect(leftToTheSweep(cancelling, context(2 * SECOND))).toBe(false);
    expect(cancelling.schedule?.leftToSweepUntil).toBeUndefined();

    // rf_1 is past the window when rf_2 is reserved: the ledger is indexed, whatever rf_2's age.
    const both = reserve(reserved, 'rf_2', 500, WINDOW + SECOND).ledger;
    expect(both.schedule?.leftToSweepUntil).toBeUndefined();
  });

  it('a window the settings leave no room for leaves nothing to the sweep', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_1', 500, 0);
    const tight = { ...context(0), settings: { ...DEFAULT_SETTLEMENT_SETTINGS, firstCheckAfterMs: 60_000 } };
    expect(leftToTheSweep(ledger, tight)).toBe(false);
  });
});

describe('handOverToReconciliation', () => {
  it('marks each pending refund of ours seen by the sweep and puts the ledger in the index; answers it was left', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_1', 500, 0);
    const change = handOverToReconciliation(ledger, context(firstCheckAfterMs));
    expect(change.result).toBe(true);
    expect(change.events).toEqual([]);
    const handed = change.ledger!;
    expect(entry(handed, 'rf_1').sweptPending).toBe(true);
    expect(handed.schedule).toEqual({ nextCheckAt: at(firstCheckAfterMs), checks: 0 });
    // Only the index moved: the ledger's last real change keeps its time.
    expect(handed.updatedAt).toBe(ledger.updatedAt);
  });

  it('a refund the sweep saw pending never leaves its ledger out again, whatever the clock or window of a later write', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_1', 500, 0);
    const handed = { ...handOverToReconciliation(ledger, context(firstCheckAfterMs)).ledger!, version: 2 };
    // A writer whose clock is behind, or whose window is wider, still indexes it.
    const wide = {
      ...context(SECOND),
      settings: { ...DEFAULT_SETTLEMENT_SETTINGS, firstCheckAfterMs: 3_600_000 },
    };
    expect(leftToTheSweep(handed, wide)).toBe(false);
  });

  it('nothing to write when every pending refund is marked and the ledger is indexed', () => {
    const { ledger } = reserve(ledgerOf(), 'rf_1', 500, 0);
    const handed = { ...handOverToReconciliation(ledger, context(firstCheckAfterMs)).ledger!, version: 2 };
    const again = handOverToReconciliation(handed, context(firstCheckAfterMs + SECOND));
    expect(again).toEqual({ ledger: null, events: [], result: false });
  });

  it('an indexed ledger with an unmarked pending refund: marked, answered not left (the due index shows it)', () => {
    const first = reserve(ledgerOf(), 'rf_1', 500, 0).ledger;
    const both = { ...reserve(first, 'rf_2', 500, WINDOW + SECOND).ledger, version: 3 };
    expect(both.schedule?.leftToSweepUntil).toBeUndefined();
    const change = handOverToReconciliation(both, context(firstCheckAfterMs));
    expect(change.result).toBe(false);
    expect(entry(change.ledger!, 'rf_1').sweptPending).toBe(true);
    expect(entry(change.ledger!, 'rf_2').sweptPending).toBe(true);
  });
});
