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
import { describe, expect, it } from 'vitest';
import { RECONCILIATION } from '../../functions/model/actor.ts';
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
          const mpTotal = world.mp.refunds.reduce((sum, r) => sum + r.amountMinor, 0);
          expect(totals(world.ledger).succeededMinor).toBe(mpTotal);
          // What is still pending past its window made nothing at Mercado Pago (a person closes it: API.md),
          // except a refund whose Mercado Pago refund rule 3 gave to another of ours of the same amount, the risk
          // rule 3 accepts: the money is accounted for either way.
          for (const left of world.ledger.refunds.filter((e) => e.status === 'pending')) {
            if (!isOurs(left)) continue;
            const made = world.mp.refunds.find((r) => r.key === mercadoPagoRefundKey(left));
            if (!made) continue;
            const holder = world.ledger.refunds.find((e) => e.mercadoPagoRefundId === made.id)!;
            expect(holder.amountMinor).toBe(left.amountMinor);
            expect(
              world.ledger.history.some(
                (h) =>
                  h.detail.startsWith(`${holder.id} is Mercado Pago refund ${made.id} (`) &&
                  h.detail.includes('rule 3'),
              ),
            ).toBe(true);
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});
