/**
 * Property: any interleaving of reservations, our calls' answers (right, lost, about another payment, with
 * another amount, never sent, hanging), refunds made in the panel, reads, re-sends and time ends with
 * - no refund of ours linked, before its window, to a Mercado Pago refund its own key did not make;
 * - final states never changed, links never moved, no Mercado Pago refund counted twice, one event per
 *   settled refund;
 * - once everything is past its window and re-read: the ledger's refunded total equals Mercado Pago's, and
 *   what is still pending made nothing at Mercado Pago (a person closes it).
 * Mercado Pago is simulated (idempotent per key, refusing what exceeds the payment), the rules are the real ones.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { person, RECONCILIATION } from '../../functions/model/actor.ts';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import type { LedgerChange, LedgerEvent } from '../../functions/model/ledger/change.ts';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import {
  beginAttempt,
  type RefundCallOutcome,
  recordRefundCall,
  refundsToResend,
} from '../../functions/model/ledger/refund-call.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import { resolveRefund } from '../../functions/model/ledger/resolution.ts';
import { totals } from '../../functions/model/ledger/totals.ts';
import { isOurs, type Ledger } from '../../functions/model/ledger/types.ts';
import { DEFAULT_SETTLEMENT_SETTINGS } from '../../functions/model/settings.ts';
import { at, context, ledgerOf, payment, SECOND } from './builders.ts';

const TOTAL = 10_000;
const LOCK_MS = 27 * SECOND;

interface MpRefund {
  id: string;
  key: string | null;
  amountMinor: number;
  createdMs: number;
}

/** Mercado Pago as the rules see it: one refund per key, refusing what exceeds the payment. */
class SimulatedMercadoPago {
  refunds: MpRefund[] = [];
  private next = 1000;
  private left = () => TOTAL - this.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
  create(key: string, amountMinor: number | undefined, nowMs: number): MpRefund | 'refused' {
    const known = this.refunds.find((r) => r.key === key);
    if (known) return known;
    const amount = amountMinor ?? this.left();
    if (amount <= 0 || amount > this.left()) return 'refused';
    const refund = { id: String(this.next++), key, amountMinor: amount, createdMs: nowMs };
    this.refunds.push(refund);
    return refund;
  }
  dashboard(amountMinor: number, nowMs: number): void {
    if (amountMinor <= this.left())
      this.refunds.push({ id: String(this.next++), key: null, amountMinor, createdMs: nowMs });
  }
  facts() {
    return payment({
      status: this.left() === 0 ? 'refunded' : 'approved',
      dateLastUpdated: null,
      refunds: this.refunds.map((r) => ({
        id: r.id,
        subjectId: '1',
        amount: r.amountMinor / 100,
        status: 'approved',
        dateCreated: at(r.createdMs),
      })),
    });
  }
}

type Answer = 'right' | 'lost' | 'another_payment' | 'another_amount' | 'not_sent' | 'hang';
type Action =
  | { kind: 'request'; amount: 1000 | 2000 | 'all'; answer: Answer }
  | { kind: 'read' }
  | { kind: 'dashboard'; amount: 1000 | 2000 | 555 }
  | { kind: 'advance'; ms: number }
  | { kind: 'resend'; answer: Answer };

const answers = fc.constantFrom<Answer>(
  'right',
  'lost',
  'another_payment',
  'another_amount',
  'not_sent',
  'hang',
);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      amount: fc.constantFrom(1000 as const, 2000 as const, 'all' as const),
      answer: answers,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('read' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('dashboard' as const),
      amount: fc.constantFrom(1000 as const, 2000 as const, 555 as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 1_000, max: 240_000 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resend' as const), answer: answers }) },
);

interface World {
  ledger: Ledger;
  mp: SimulatedMercadoPago;
  nowMs: number;
  seq: number;
  events: LedgerEvent[];
}

const apply = <T>(world: World, change: LedgerChange<T>): T => {
  if (change.ledger) world.ledger = { ...change.ledger, version: world.ledger.version + 1 };
  world.events.push(...change.events);
  return change.result;
};

/** One call with the refund's key, answered as `answer` says. */
const call = (world: World, refundId: string, attempt: number, answer: Answer): void => {
  const entry = world.ledger.refunds.find((e) => e.id === refundId);
  if (!entry || !isOurs(entry)) return;
  if (answer === 'hang') return; // the function died: its lock expires, nothing is recorded
  let outcome: RefundCallOutcome;
  if (answer === 'not_sent') {
    outcome =
      attempt === 1
        ? { kind: 'not_sent', detail: 'refused connection' }
        : { kind: 'unknown', detail: 'unreachable' };
  } else {
    const made = world.mp.create(
      mercadoPagoRefundKey(entry),
      entry.sendsEmptyBody ? undefined : entry.amountMinor,
      world.nowMs,
    );
    if (made === 'refused') {
      outcome =
        attempt === 1
          ? { kind: 'refused', failure: { code: 'AMOUNT_EXCEEDS_REFUNDABLE', detail: 'd' }, freesKey: false }
          : { kind: 'unknown', detail: 'later attempt refused' };
    } else if (answer === 'lost') {
      outcome = { kind: 'unknown', detail: 'answer lost' };
    } else {
      const fact = {
        id: made.id,
        subjectId: '1' as string | null,
        amount: made.amountMinor / 100,
        status: 'approved',
        dateCreated: at(made.createdMs),
      };
      if (answer === 'another_payment') fact.subjectId = '999';
      if (answer === 'another_amount') fact.amount = made.amountMinor / 100 + 7;
      outcome = { kind: 'answered', refund: fact };
    }
  }
  apply(world, recordRefundCall(world.ledger, refundId, attempt, outcome, context(world.nowMs)));
};

const read = (world: World) =>
  apply(
    world,
    applyPaymentRead(world.ledger, { facts: world.mp.facts(), at: at(world.nowMs) }, context(world.nowMs)),
  );

const resendAll = (world: World, answer: Answer) => {
  for (const candidate of refundsToResend(
    world.ledger,
    Date.parse(at(world.nowMs)),
    DEFAULT_SETTLEMENT_SETTINGS,
  )) {
    const started = apply(
      world,
      beginAttempt(
        world.ledger,
        candidate.id,
        at(world.nowMs + LOCK_MS),
        context(world.nowMs, RECONCILIATION),
        'test',
      ),
    );
    if (started.kind === 'ready') call(world, candidate.id, started.attempt, answer);
  }
};

const run = (world: World, step: Action) => {
  switch (step.kind) {
    case 'request': {
      const refundId = `rf_${++world.seq}`;
      const reserved = apply(
        world,
        reserveRefund(
          world.ledger,
          {
            refundId,
            amount: step.amount,
            idempotencyKey: `k${world.seq}`,
            fingerprint: 'f',
            lockUntil: at(world.nowMs + LOCK_MS),
          },
          { windowDays: 90, approvedAt: at(-86_400_000) },
          context(world.nowMs),
        ),
      );
      if (reserved.kind === 'reserved') call(world, refundId, 1, step.answer);
      break;
    }
    case 'read':
      read(world);
      break;
    case 'dashboard':
      world.mp.dashboard(step.amount, world.nowMs);
      break;
    case 'advance':
      world.nowMs += step.ms;
      break;
    case 'resend':
      resendAll(world, step.answer);
      break;
  }
};

/** Invariants that hold after every step. */
const check = (world: World, before: Ledger) => {
  const { ledger, mp } = world;
  // No Mercado Pago refund is counted twice.
  const linked = ledger.refunds.map((e) => e.mercadoPagoRefundId).filter((id): id is string => id !== null);
  expect(new Set(linked).size).toBe(linked.length);
  for (const entry of ledger.refunds) {
    const previous = before.refunds.find((e) => e.id === entry.id);
    // Final states and links never change.
    if (previous && previous.status !== 'pending') expect(entry.status).toBe(previous.status);
    if (previous?.mercadoPagoRefundId) expect(entry.mercadoPagoRefundId).toBe(previous.mercadoPagoRefundId);
    if (!isOurs(entry) || entry.mercadoPagoRefundId === null) continue;
    // Linked to what its own key made, unless rule 3 linked it (past its window, nothing running).
    const made = mp.refunds.find((r) => r.id === entry.mercadoPagoRefundId)!;
    const byRule3 = ledger.history.some(
      (h) =>
        h.change === 'refund_linked' && h.detail.startsWith(`${entry.id} `) && h.detail.includes('rule 3'),
    );
    if (!byRule3) expect(made.key).toBe(mercadoPagoRefundKey(entry));
    else
      expect(
        Date.parse(ledger.history.find((h) => h.detail.startsWith(`${entry.id} is`))!.at) -
          Date.parse(entry.createdAt),
      ).toBeGreaterThan(DEFAULT_SETTLEMENT_SETTINGS.resendWindowMs);
  }
  // One event per settled refund.
  const settled = world.events
    .filter((e) => e.kind === 'refund.settled')
    .map((e) => (e.kind === 'refund.settled' ? e.refund.id : ''));
  expect(new Set(settled).size).toBe(settled.length);
};

describe('settlement model (property)', () => {
  it('holds its invariants under any interleaving, and ends equal to Mercado Pago', () => {
    fc.assert(
      fc.property(
        fc.array(action, { minLength: 1, maxLength: Number(process.env.PROPERTY_STEPS ?? 30) }),
        (steps) => {
          const world: World = {
            ledger: ledgerOf(payment(), 0),
            mp: new SimulatedMercadoPago(),
            nowMs: 1,
            seq: 0,
            events: [],
          };
          for (const step of steps) {
            const before = world.ledger;
            run(world, step);
            check(world, before);
          }
          // Everything past its window, re-sent while it could be, re-read: nothing is left to guess.
          for (let i = 0; i < 6; i++) {
            world.nowMs += 60_000;
            resendAll(world, 'right');
            read(world);
          }
          world.nowMs += 11 * 60_000;
          const before = world.ledger;
          read(world);
          check(world, before);
          // What is still pending past its window no rule can settle: a person closes it (API.md, the resolution
          // route), as Mercado Pago's panel shows it: succeeded with the refund its key made, failed if none.
          const conflicts: string[] = [];
          for (const left of world.ledger.refunds.filter((e) => e.status === 'pending')) {
            if (!isOurs(left)) continue;
            const made = world.mp.refunds.find((r) => r.key === mercadoPagoRefundKey(left));
            const decided = apply(
              world,
              resolveRefund(
                world.ledger,
                {
                  refundId: left.id,
                  outcome: made ? 'succeeded' : 'failed',
                  mercadoPagoRefundId: made?.id,
                  note: 'as the panel shows it',
                  idempotencyKey: `ops-${left.id}`,
                  fingerprint: 'f',
                },
                { refunds: world.mp.facts().refunds },
                context(world.nowMs, person('ops')),
              ),
            );
            if (decided.kind === 'conflict') conflicts.push(`${left.id}: ${decided.detail}`);
            else expect(decided.kind, left.id).toBe('resolved');
          }
          const decidedBefore = world.ledger;
          read(world);
          check(world, decidedBefore);
          const mpTotal = world.mp.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
          // A decision is refused only where rule 3 gave the refund its key made to another of ours of the same
          // amount (the risk rule 3 accepts: the money is accounted for either way), or, for `failed`, where
          // Mercado Pago shows a refund that could be it (API.md: a refund made elsewhere at the same moment, of a
          // compatible amount; it stays held for the pending refund, counted through it, never lost).
          for (const refused of conflicts)
            expect(refused).toMatch(
              /one Mercado Pago refund is never counted twice|shows what could be refund/,
            );
          const linked = new Set(world.ledger.refunds.map((e) => e.mercadoPagoRefundId));
          const held = world.mp.refunds.filter((r) => !linked.has(r.id));
          const pendingOurs = world.ledger.refunds.filter((e) => e.status === 'pending');
          for (const unlinked of held)
            expect(
              pendingOurs.some((e) => e.amountMinor >= unlinked.amountMinor),
              unlinked.id,
            ).toBe(true);
          expect(totals(world.ledger).succeededMinor + held.reduce((sum, r) => sum + r.amountMinor, 0)).toBe(
            mpTotal,
          );
          if (conflicts.length === 0) expect(totals(world.ledger).succeededMinor).toBe(mpTotal);
          expect(world.ledger.refunds.filter((e) => e.status === 'pending' && !isOurs(e))).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});

type Pick = 'made' | 'any_shown' | 'bogus';
type Decide = {
  kind: 'decide';
  outcome: 'succeeded' | 'failed';
  pick: Pick;
  which: number;
  /** The person looks after this long (most often past the re-send window). */
  afterMs: number;
};
const decideAction: fc.Arbitrary<Decide> = fc.record({
  kind: fc.constant('decide' as const),
  outcome: fc.constantFrom('succeeded' as const, 'failed' as const),
  pick: fc.constantFrom<Pick>('made', 'any_shown', 'bogus'),
  which: fc.nat(),
  afterMs: fc.constantFrom(0, 11 * 60_000, 11 * 60_000),
});

/**
 * A person's decision on one of our pending refunds, right or wrong: the Mercado Pago refund its key made, any
 * refund Mercado Pago shows, or one it does not. The rule is applied, as the route does, after a fresh read.
 */
const decide = (world: World, step: Decide): void => {
  const pending = world.ledger.refunds.filter((e) => isOurs(e) && e.status === 'pending');
  const target = pending[step.which % Math.max(1, pending.length)];
  if (!target || !isOurs(target)) return;
  world.nowMs += step.afterMs;
  read(world);
  const shown = world.mp.facts().refunds;
  const made = world.mp.refunds.find((r) => r.key === mercadoPagoRefundKey(target));
  const mercadoPagoRefundId =
    step.pick === 'made'
      ? made?.id
      : step.pick === 'any_shown'
        ? shown[step.which % Math.max(1, shown.length)]?.id
        : 'nope';
  const before = world.ledger;
  const result = apply(
    world,
    resolveRefund(
      world.ledger,
      {
        refundId: target.id,
        outcome: step.outcome,
        mercadoPagoRefundId,
        note: 'a decision',
        idempotencyKey: `ops-${world.seq}-${step.which}`,
        fingerprint: 'f',
      },
      { refunds: shown },
      context(world.nowMs, person('ops')),
    ),
  );
  if (result.kind !== 'resolved') {
    expect(world.ledger).toBe(before);
    return;
  }
  decided[step.outcome]++;
  const settled = world.ledger.refunds.find((e) => e.id === target.id)!;
  if (step.outcome === 'succeeded') {
    // Only a refund Mercado Pago shows on this payment, done, held by no other refund of ours.
    const fact = shown.find((f) => f.id === settled.mercadoPagoRefundId);
    expect(fact?.status).toBe('approved');
    expect(world.ledger.refunds.filter((e) => e.mercadoPagoRefundId === fact?.id)).toHaveLength(1);
  } else if (made) {
    // Never failed while the refund its key made could be it: that one is counted through another of ours.
    const holder = world.ledger.refunds.find((e) => e.mercadoPagoRefundId === made.id);
    expect(holder && isOurs(holder) && holder.id !== target.id).toBe(true);
  }
  // Only once no evidence can come any more.
  expect(Date.parse(at(world.nowMs)) - Date.parse(target.createdAt)).toBeGreaterThan(
    DEFAULT_SETTLEMENT_SETTINGS.resendWindowMs,
  );
};

/** Decisions recorded over all runs, so the property is known not to hold vacuously. */
const decided = { succeeded: 0, failed: 0 };

describe('decisions of a person (property)', () => {
  // `succeeded` is accepted only in the rarer cases rule 3 leaves open (the oracle ending of the property above
  // and test/model/resolution.test.ts take those); `failed` must be exercised here.
  afterAll(() => {
    expect(decided.failed).toBeGreaterThan(0);
  });

  it('whatever they decide, a decision never contradicts Mercado Pago, never counts a refund twice', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 3, arbitrary: action },
            // Refunds left unknown (a person's cases), and decisions on them.
            {
              weight: 2,
              arbitrary: fc.record({
                kind: fc.constant('request' as const),
                amount: fc.constantFrom(1000 as const, 2000 as const, 'all' as const),
                answer: fc.constantFrom<Answer>('hang', 'lost', 'another_payment'),
              }),
            },
            { weight: 3, arbitrary: decideAction },
            // Past a re-send window, where decisions are taken.
            {
              weight: 1,
              arbitrary: fc.record({
                kind: fc.constant('advance' as const),
                ms: fc.integer({ min: 300_000, max: 700_000 }),
              }),
            },
          ),
          {
            minLength: 1,
            maxLength: Number(process.env.PROPERTY_STEPS ?? 40),
          },
        ),
        (steps) => {
          const world: World = {
            ledger: ledgerOf(payment(), 0),
            mp: new SimulatedMercadoPago(),
            nowMs: 1,
            seq: 0,
            events: [],
          };
          for (const step of steps) {
            const before = world.ledger;
            if (step.kind === 'decide') decide(world, step);
            else run(world, step);
            // Final states stay final and no Mercado Pago refund is counted twice (the common invariants, but for
            // links a person made, which need not be what a key made).
            const linked = world.ledger.refunds
              .map((e) => e.mercadoPagoRefundId)
              .filter((id): id is string => id !== null);
            expect(new Set(linked).size).toBe(linked.length);
            for (const entry of world.ledger.refunds) {
              const previous = before.refunds.find((e) => e.id === entry.id);
              if (previous && previous.status !== 'pending') expect(entry.status).toBe(previous.status);
            }
          }
          // Amounts follow Mercado Pago's reads: once re-read, the ledger never counts more than Mercado Pago made.
          read(world);
          const mpTotal = world.mp.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
          expect(totals(world.ledger).succeededMinor).toBeLessThanOrEqual(mpTotal);
          const settled = world.events.filter((e) => e.kind === 'refund.settled');
          expect(new Set(settled.map((e) => (e.kind === 'refund.settled' ? e.refund.id : ''))).size).toBe(
            settled.length,
          );
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});
