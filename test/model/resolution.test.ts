/**
 * A person's decision (functions/model/ledger/resolution.ts): only once no evidence can come any more, checked
 * against Mercado Pago's fresh read, stored with who and why, settled and published like any outcome.
 */
import { describe, expect, it } from 'vitest';
import { person, RECONCILIATION } from '../../functions/model/actor.ts';
import type { RefundFact } from '../../functions/model/facts.ts';
import { attentionOf } from '../../functions/model/ledger/attention.ts';
import { beginCancellation, recordCancellationCall } from '../../functions/model/ledger/cancellation.ts';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import { beginAttempt, recordRefundCall } from '../../functions/model/ledger/refund-call.ts';
import {
  type RefundDecision,
  resolveCancellation,
  resolveRefund,
} from '../../functions/model/ledger/resolution.ts';
import { totals } from '../../functions/model/ledger/totals.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import { refundView } from '../../functions/model/ledger/view.ts';
import { DEFAULT_SETTLEMENT_SETTINGS } from '../../functions/model/settings.ts';
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

const OPERATOR = person('arn:aws:sts::1:assumed-role/Operator/ana');
const LATE = 11 * MINUTE;

/** rf_a (10.00) reserved at 0, its answer lost at 5 s: pending, outcome unknown. */
const unknown = (amount: number | 'all' = 1000): Ledger => {
  const ledger = reserve(ledgerOf(), 'rf_a', amount, 0).ledger;
  return storedAfter(
    ledger,
    recordRefundCall(ledger, 'rf_a', 1, { kind: 'unknown', detail: 'answer lost' }, context(5 * SECOND)),
  );
};

const decision = (overrides: Partial<RefundDecision> = {}): RefundDecision => ({
  refundId: 'rf_a',
  outcome: 'failed',
  note: 'checked the panel',
  idempotencyKey: 'ops-1',
  fingerprint: 'fp-1',
  ...overrides,
});

/** The route's order: the fresh read applied, then the decision, on what it made. */
const decide = (ledger: Ledger, wanted: RefundDecision, refunds: RefundFact[], ms = LATE) => {
  const synced = storedAfter(
    ledger,
    applyPaymentRead(ledger, read(payment({ refunds }), ms), context(ms, OPERATOR)),
  );
  return { synced, change: resolveRefund(synced, wanted, { refunds }, context(ms, OPERATOR)) };
};

describe('a refund whose outcome is unknown', () => {
  it('is too early within its re-send window, or while an attempt may run; unknown refunds are not found', () => {
    const early = decide(unknown(), decision(), [], 2 * MINUTE).change;
    expect(early.ledger).toBeNull();
    expect(early.result).toMatchObject({
      kind: 'too_early',
      detail: expect.stringContaining(at(10 * MINUTE)),
    });
    const running = reserve(ledgerOf(), 'rf_a', 1000, 0, 30 * MINUTE).ledger;
    expect(decide(running, decision(), []).change.result).toMatchObject({
      kind: 'too_early',
      detail: expect.stringContaining('may still be running'),
    });
    expect(decide(unknown(), decision({ refundId: 'rf_zz' }), []).change.result).toEqual({
      kind: 'not_found',
    });
  });

  it('failed, when Mercado Pago shows nothing it could be: stored with who and why, released, published', () => {
    const { change } = decide(unknown(), decision(), []);
    expect(change.result.kind).toBe('resolved');
    const settled = entry(change.ledger!, 'rf_a');
    expect(settled).toMatchObject({
      status: 'failed',
      failure: { code: 'REFUND_REJECTED', detail: expect.stringContaining('checked the panel') },
      settledBy: 'person:arn:aws:sts::1:assumed-role/Operator/ana',
      resolution: {
        by: 'person:arn:aws:sts::1:assumed-role/Operator/ana',
        note: 'checked the panel',
        at: at(LATE),
      },
    });
    expect(totals(change.ledger!)).toMatchObject({ pendingMinor: 0, refundableMinor: 10_000 });
    expect(change.ledger!.schedule).toBeUndefined();
    expect(change.events).toEqual([
      { kind: 'refund.settled', refund: expect.objectContaining({ id: 'rf_a', status: 'failed' }) },
    ]);
    expect(change.ledger!.history.at(-1)).toMatchObject({
      by: 'person:arn:aws:sts::1:assumed-role/Operator/ana',
      change: 'refund_failed',
      detail: expect.stringContaining('checked the panel'),
    });
    // The contract shows who, why and when, never the request's key.
    expect(refundView(change.ledger!, settled).resolution).toEqual({
      by: 'person:arn:aws:sts::1:assumed-role/Operator/ana',
      note: 'checked the panel',
      at: at(LATE),
    });
  });

  it('failed is refused while Mercado Pago shows a refund that could be it; not for one that cannot be', () => {
    // Held for rf_a, a full refund sent as {}: Mercado Pago made less than it asked, so rule 3 (exact amounts)
    // waits for a person.
    const candidate = mpRefund('X', 30, 'approved', 2 * SECOND);
    const { synced, change: refused } = decide(unknown('all'), decision(), [candidate]);
    expect(entry(synced, 'rf_a')).toMatchObject({ status: 'pending', mercadoPagoRefundId: null });
    expect(refused.ledger).toBeNull();
    expect(refused.result).toMatchObject({ kind: 'conflict', detail: expect.stringContaining('refund X') });
    for (const unrelated of [
      mpRefund('Y', 20, 'approved', 2 * SECOND), // another amount
      mpRefund('Z', 10, 'approved', -5 * MINUTE), // made before rf_a was reserved
      mpRefund('W', 10, 'rejected', 2 * SECOND), // did not go through
    ])
      expect(
        resolveRefund(unknown(), decision(), { refunds: [unrelated] }, context(LATE, OPERATOR)).result.kind,
        unrelated.id,
      ).toBe('resolved');
  });

  it('succeeded needs a Mercado Pago refund shown, done, of its amount, that it could have made', () => {
    const base = unknown('all');
    const cases: [RefundDecision['mercadoPagoRefundId'], RefundFact[], string][] = [
      [undefined, [], 'mercadoPagoRefundId'],
      ['X', [], 'does not show'],
      ['X', [mpRefund('X', 100, 'rejected', 2 * SECOND)], 'did not go through'],
      ['X', [mpRefund('X', 100, 'in_process', 2 * SECOND)], 'still in process'],
      ['X', [mpRefund('X', 100.5, 'approved', 2 * SECOND)], 'amount'],
      ['X', [mpRefund('X', 100, 'approved', -5 * MINUTE)], 'not made while'],
      ['X', [mpRefund('X', 100, 'approved', 2 * SECOND, '999')], 'does not show'],
    ];
    // The rule alone (the route applies the read first, which may settle it by rule 3 before).
    for (const [id, refunds, why] of cases) {
      const change = resolveRefund(
        base,
        decision({ outcome: 'succeeded', mercadoPagoRefundId: id }),
        { refunds },
        context(LATE, OPERATOR),
      );
      expect(change.ledger, why).toBeNull();
      expect(change.result, why).toMatchObject({ kind: 'conflict', detail: expect.stringContaining(why) });
    }
  });

  it('succeeded for a full refund sent as {} that Mercado Pago made for less: its amount follows Mercado Pago', () => {
    // Rule (3) matches exact amounts only, so this one waits for a person.
    const made = mpRefund('X', 30, 'approved', 2 * SECOND);
    const { synced, change } = decide(
      unknown('all'),
      decision({ outcome: 'succeeded', mercadoPagoRefundId: 'X' }),
      [made],
    );
    expect(entry(synced, 'rf_a')).toMatchObject({ status: 'pending', mercadoPagoRefundId: null });
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({
      status: 'succeeded',
      mercadoPagoRefundId: 'X',
      amountMinor: 3000,
      resolution: { note: 'checked the panel' },
    });
    expect(totals(change.ledger!)).toMatchObject({ succeededMinor: 3000, refundableMinor: 7000 });
  });

  it('never takes a Mercado Pago refund another refund of ours holds, or could still prove is its own', () => {
    // rf_b (10.00) linked to X by its own key's answer.
    let held = reserve(unknown(), 'rf_b', 1000, 3 * SECOND).ledger;
    held = storedAfter(
      held,
      recordRefundCall(
        held,
        'rf_b',
        1,
        { kind: 'answered', refund: mpRefund('X', 10, 'approved', 4 * SECOND) },
        context(4 * SECOND),
      ),
    );
    const taken = decide(held, decision({ outcome: 'succeeded', mercadoPagoRefundId: 'X' }), [
      mpRefund('X', 10, 'approved', 4 * SECOND),
    ]).change;
    expect(taken.result).toMatchObject({ kind: 'conflict', detail: expect.stringContaining('rf_b') });
    // rf_c (10.00), reserved at 9 min with its answer lost, can still prove Y is its own (held by the read).
    let rival = reserve(unknown(), 'rf_c', 1000, 9 * MINUTE).ledger;
    rival = storedAfter(
      rival,
      recordRefundCall(rival, 'rf_c', 1, { kind: 'unknown', detail: 'lost' }, context(9 * MINUTE + SECOND)),
    );
    const y = mpRefund('Y', 10, 'approved', 9 * MINUTE + 2 * SECOND);
    const wait = decide(rival, decision({ outcome: 'succeeded', mercadoPagoRefundId: 'Y' }), [y]).change;
    expect(wait.result).toMatchObject({
      kind: 'conflict',
      detail: expect.stringContaining('not made while'),
    });
  });

  it('failed is refused when its own key was answered with a refund another refund of ours holds', () => {
    // rf_b (10.00) linked to X; then a re-send of rf_a's own key is answered with X: a contradiction.
    let ledger = reserve(unknown(), 'rf_b', 1000, 3 * SECOND).ledger;
    const x = mpRefund('X', 10, 'approved', 4 * SECOND);
    ledger = storedAfter(
      ledger,
      recordRefundCall(ledger, 'rf_b', 1, { kind: 'answered', refund: x }, context(4 * SECOND)),
    );
    ledger = storedAfter(
      ledger,
      beginAttempt(
        ledger,
        'rf_a',
        at(2 * MINUTE + 27 * SECOND),
        context(2 * MINUTE, RECONCILIATION),
        're-send',
      ),
    );
    ledger = storedAfter(
      ledger,
      recordRefundCall(
        ledger,
        'rf_a',
        2,
        { kind: 'answered', refund: x },
        context(2 * MINUTE + SECOND, RECONCILIATION),
      ),
    );
    expect(entry(ledger, 'rf_a')).toMatchObject({ status: 'pending', answeredWith: 'X' });
    // Mercado Pago's answer to rf_a's own key is evidence that X is rf_a's: never failed (the buyer would be
    // refunded twice), and never succeeded with X (counted twice): a person settles it with Mercado Pago.
    expect(decide(ledger, decision(), [x]).change.result).toMatchObject({
      kind: 'conflict',
      detail: expect.stringContaining('X'),
    });
    expect(
      decide(ledger, decision({ outcome: 'succeeded', mercadoPagoRefundId: 'X' }), [x]).change.result,
    ).toMatchObject({ kind: 'conflict', detail: expect.stringContaining('rf_b') });
  });

  it('a repeat of the same request answers it again; another decision finds it settled', () => {
    const { change } = decide(unknown(), decision(), []);
    const stored = storedAfter(unknown(), change);
    const again = resolveRefund(stored, decision(), { refunds: [] }, context(LATE + MINUTE, OPERATOR));
    expect(again.ledger).toBeNull();
    expect(again.result).toMatchObject({ kind: 'resolved', entry: { id: 'rf_a', status: 'failed' } });
    const other = resolveRefund(
      stored,
      decision({ idempotencyKey: 'ops-2', outcome: 'succeeded', mercadoPagoRefundId: 'X' }),
      { refunds: [] },
      context(LATE + MINUTE, OPERATOR),
    );
    expect(other.result).toMatchObject({
      kind: 'already_settled',
      detail: expect.stringContaining('already failed (by person:'),
    });
  });
});

describe('the answer to its own key names a refund recorded as made elsewhere', () => {
  /**
   * rf_a asks 10.00 and its answer is lost; Mercado Pago made 9.50 (Y), which a read records as made elsewhere
   * (published). The re-send of rf_a's own key answers Y: a contradiction, listed for a person, nothing changed.
   */
  const contradicted = (): Ledger => {
    let ledger = unknown();
    const y = mpRefund('Y', 9.5, 'approved', 2 * SECOND);
    ledger = storedAfter(
      ledger,
      applyPaymentRead(ledger, read(payment({ refunds: [y] }), 10 * SECOND), context(10 * SECOND)),
    );
    const start = beginAttempt(
      ledger,
      'rf_a',
      at(2 * MINUTE + 27 * SECOND),
      context(2 * MINUTE, RECONCILIATION),
      're-send',
    );
    ledger = storedAfter(ledger, start);
    return storedAfter(
      ledger,
      recordRefundCall(
        ledger,
        'rf_a',
        2,
        { kind: 'answered', refund: y },
        context(2 * MINUTE + SECOND, RECONCILIATION),
      ),
    );
  };

  it('is listed with what to do, and failed is refused (Mercado Pago answered its key)', () => {
    const ledger = contradicted();
    const items = attentionOf(ledger, at(LATE), 5 * MINUTE, DEFAULT_SETTLEMENT_SETTINGS);
    expect(items.map((item) => [item.kind, item.refundId])).toEqual([
      ['refund_pending_too_long', 'rf_a'],
      ['settlement_contradiction', 'rf_a'],
    ]);
    expect(items[1]!.suggestedAction).toContain('npm run ops -- resolve 1 rf_a succeeded --mp-refund Y');
    expect(
      decide(ledger, decision(), [mpRefund('Y', 9.5, 'approved', 2 * SECOND)]).change.result,
    ).toMatchObject({ kind: 'conflict', detail: expect.stringContaining('refund Y') });
  });

  it('succeeded with it re-attributes it: the record is withdrawn, the money counted once, the finding cleared', () => {
    const ledger = contradicted();
    const external = ledger.refunds.find((e) => e.origin === 'external')!;
    expect(totals(ledger)).toMatchObject({ succeededMinor: 950, pendingMinor: 1000 });
    const { change } = decide(ledger, decision({ outcome: 'succeeded', mercadoPagoRefundId: 'Y' }), [
      mpRefund('Y', 9.5, 'approved', 2 * SECOND),
    ]);
    const after = change.ledger!;
    expect(after.refunds.map((e) => e.id)).toEqual(['rf_a']);
    expect(entry(after, 'rf_a')).toMatchObject({
      status: 'succeeded',
      mercadoPagoRefundId: 'Y',
      amountMinor: 950,
      resolution: { reattributedFrom: external.id },
    });
    expect(entry(after, 'rf_a')).not.toHaveProperty('answeredWith');
    expect(totals(after)).toMatchObject({ succeededMinor: 950, pendingMinor: 0 });
    expect(after.attention).toEqual([]);
    expect(change.events).toEqual([
      { kind: 'refund.settled', refund: expect.objectContaining({ id: 'rf_a', status: 'succeeded' }) },
    ]);
    expect(after.history.map((h) => h.change)).toEqual(
      expect.arrayContaining([
        'refund_reattributed',
        'refund_linked',
        'attention_cleared',
        'refund_succeeded',
      ]),
    );
  });
});

describe('a status word without a rule', () => {
  it('is decided by a person; the finding goes with the refund it was about', () => {
    let ledger = reserve(ledgerOf(), 'rf_a', 1000, 0).ledger;
    ledger = storedAfter(
      ledger,
      recordRefundCall(
        ledger,
        'rf_a',
        1,
        { kind: 'answered', refund: mpRefund('900', 10, 'in_process', SECOND) },
        context(2 * SECOND),
      ),
    );
    const odd = [mpRefund('900', 10, 'in_mediation', SECOND)];
    const synced = storedAfter(
      ledger,
      applyPaymentRead(ledger, read(payment({ refunds: odd }), MINUTE), context(MINUTE)),
    );
    expect(synced.attention).toEqual([expect.objectContaining({ kind: 'refund_status_unknown' })]);
    const { change } = decide(synced, decision({ outcome: 'succeeded', mercadoPagoRefundId: '900' }), odd);
    expect(entry(change.ledger!, 'rf_a')).toMatchObject({
      status: 'succeeded',
      mercadoPagoStatus: 'in_mediation',
    });
    expect(change.ledger!.attention).toEqual([]);
    // Settled by a later read instead, the finding is moot all the same.
    const approved = applyPaymentRead(
      synced,
      read(payment({ refunds: [mpRefund('900', 10, 'approved', SECOND)] }), 2 * MINUTE),
      context(2 * MINUTE),
    );
    expect(approved.ledger!.attention).toEqual([]);
  });
});

describe('a cancellation whose outcome is unknown', () => {
  const pending = (): Ledger => {
    let ledger = ledgerOf(payment({ status: 'pending', statusDetail: 'pending_waiting_payment' }));
    const start = beginCancellation(
      ledger,
      { idempotencyKey: 'c-1', lockUntil: at(27 * SECOND) },
      context(0),
    );
    ledger = storedAfter(ledger, start);
    return storedAfter(
      ledger,
      recordCancellationCall(ledger, 1, { kind: 'unknown', detail: 'timeout' }, context(5 * SECOND)),
    );
  };
  const cancel = (outcome: 'cancelled' | 'not_cancelled', key = 'ops-c') => ({
    outcome,
    note: 'the panel shows it',
    idempotencyKey: key,
    fingerprint: 'fp',
  });

  it('not_cancelled while Mercado Pago shows it not cancelled, after its window; cancelled only when it is', () => {
    const ledger = pending();
    expect(
      resolveCancellation(ledger, cancel('not_cancelled'), 'pending', context(MINUTE, OPERATOR)).result,
    ).toMatchObject({
      kind: 'too_early',
    });
    expect(
      resolveCancellation(ledger, cancel('cancelled'), 'pending', context(LATE, OPERATOR)).result,
    ).toMatchObject({
      kind: 'conflict',
      detail: expect.stringContaining('pending, not cancelled'),
    });
    expect(
      resolveCancellation(ledger, cancel('not_cancelled'), 'cancelled', context(LATE, OPERATOR)).result,
    ).toMatchObject({ kind: 'conflict' });
    const change = resolveCancellation(ledger, cancel('not_cancelled'), 'pending', context(LATE, OPERATOR));
    expect(change.result).toEqual({ kind: 'resolved' });
    expect(change.ledger!.cancellation).toMatchObject({
      status: 'failed',
      failure: { code: 'PAYMENT_NOT_CANCELLABLE' },
      resolution: { by: 'person:arn:aws:sts::1:assumed-role/Operator/ana', note: 'the panel shows it' },
    });
    expect(change.ledger!.schedule).toBeUndefined();
    const stored = storedAfter(ledger, change);
    expect(
      resolveCancellation(stored, cancel('not_cancelled'), 'pending', context(LATE, OPERATOR)).result,
    ).toEqual({
      kind: 'resolved',
    });
    expect(
      resolveCancellation(stored, cancel('not_cancelled', 'ops-d'), 'pending', context(LATE, OPERATOR))
        .result,
    ).toMatchObject({ kind: 'already_settled' });
    const done = resolveCancellation(ledger, cancel('cancelled'), 'cancelled', context(LATE, OPERATOR));
    expect(done.ledger!.cancellation).toMatchObject({ status: 'cancelled' });
    expect(done.events).toEqual([
      expect.objectContaining({ kind: 'cancellation.settled', status: 'cancelled' }),
    ]);
  });

  it('is not found where none was asked, and listed once pending too long', () => {
    expect(resolveCancellation(ledgerOf(), cancel('cancelled'), 'approved', context(LATE)).result).toEqual({
      kind: 'not_found',
    });
    expect(attentionOf(pending(), at(LATE), 5 * MINUTE, DEFAULT_SETTLEMENT_SETTINGS)).toEqual([
      expect.objectContaining({
        kind: 'cancellation_pending_too_long',
        paymentId: '1',
        since: at(0),
        suggestedAction: expect.stringContaining('npm run ops -- resolve 1 cancellation'),
      }),
    ]);
  });
});

describe('the attention list of a ledger', () => {
  it('lists pending work only past the threshold, saying whether it can still be re-sent', () => {
    const ledger = unknown();
    expect(attentionOf(ledger, at(4 * MINUTE), 5 * MINUTE, DEFAULT_SETTLEMENT_SETTINGS)).toEqual([]);
    const inWindow = attentionOf(ledger, at(6 * MINUTE), 5 * MINUTE, DEFAULT_SETTLEMENT_SETTINGS);
    expect(inWindow).toEqual([
      expect.objectContaining({
        kind: 'refund_pending_too_long',
        refundId: 'rf_a',
        since: at(0),
        suggestedAction: expect.stringContaining('npm run ops -- recheck 1'),
      }),
    ]);
    const late = attentionOf(ledger, at(LATE), 5 * MINUTE, DEFAULT_SETTLEMENT_SETTINGS);
    expect(late[0]!.detail).toContain('re-send window has passed');
    expect(late[0]!.suggestedAction).toContain('npm run ops -- resolve 1 rf_a failed');
  });

  it('says what Mercado Pago shows of a linked refund still in process', () => {
    let ledger = reserve(ledgerOf(), 'rf_a', 1000, 0).ledger;
    ledger = storedAfter(
      ledger,
      recordRefundCall(
        ledger,
        'rf_a',
        1,
        { kind: 'answered', refund: mpRefund('900', 10, 'in_process', SECOND) },
        context(2 * SECOND),
      ),
    );
    const [item] = attentionOf(ledger, at(LATE), 5 * MINUTE, DEFAULT_SETTLEMENT_SETTINGS);
    expect(item).toMatchObject({ detail: expect.stringContaining('"in_process"') });
  });
});
