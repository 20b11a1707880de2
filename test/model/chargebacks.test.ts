/** Chargeback reads and deadlines on one ledger (model/ledger/chargebacks.ts). */
import { describe, expect, it } from 'vitest';
import type { ChargebackFacts } from '../../functions/model/facts.ts';
import {
  applyChargebackRead,
  chargebackStatusOf,
  raiseChargebackDeadlines,
} from '../../functions/model/ledger/chargebacks.ts';
import { at, context, ledgerOf, MINUTE, payment, storedAfter } from './builders.ts';

const DAY = 86_400_000;
const facts = (overrides: Partial<ChargebackFacts> = {}): ChargebackFacts => ({
  id: '218000000000000001',
  paymentIds: ['1'],
  currency: 'BRL',
  amount: 40,
  coverageApplied: null,
  status: null,
  documentationStatus: 'pending',
  documentationDeadline: at(2 * DAY),
  dateCreated: at(0),
  dateLastUpdated: at(0),
  ...overrides,
});
const readAt = (f: ChargebackFacts, ms: number) => ({ facts: f, at: at(ms) });

describe('the outcome of a case', () => {
  it('from the case first, else from the payment (reimbursed won, settled lost), else open', () => {
    expect(chargebackStatusOf({ coverageApplied: true, status: 'lost' }, null)).toBe('won');
    expect(chargebackStatusOf({ coverageApplied: false, status: 'won' }, null)).toBe('lost');
    expect(chargebackStatusOf({ coverageApplied: null, status: 'WON' }, null)).toBe('won');
    expect(chargebackStatusOf({ coverageApplied: null, status: 'lost' }, null)).toBe('lost');
    const charged = (statusDetail: string) => ({ status: 'charged_back', statusDetail });
    expect(chargebackStatusOf({ coverageApplied: null, status: null }, charged('reimbursed'))).toBe('won');
    expect(chargebackStatusOf({ coverageApplied: null, status: null }, charged('settled'))).toBe('lost');
    expect(chargebackStatusOf({ coverageApplied: null, status: 'in_review' }, charged('in_process'))).toBe(
      'open',
    );
    expect(chargebackStatusOf({ coverageApplied: null, status: 'new' }, null)).toBe('open');
  });
});

describe('reads of a case', () => {
  it('an older read changes nothing; the same read again changes nothing; news is one change', () => {
    const ledger = ledgerOf(payment());
    const first = applyChargebackRead(
      ledger,
      readAt(facts({ dateLastUpdated: at(MINUTE) }), MINUTE),
      context(MINUTE),
    );
    expect(first.result).toMatchObject({ kind: 'recorded' });
    const stored = storedAfter(ledger, first);
    expect(
      applyChargebackRead(stored, readAt(facts({ dateLastUpdated: at(0) }), 2 * MINUTE), context(2 * MINUTE)),
    ).toMatchObject({ ledger: null, result: { kind: 'stale' } });
    expect(
      applyChargebackRead(
        stored,
        readAt(facts({ dateLastUpdated: at(MINUTE) }), 2 * MINUTE),
        context(2 * MINUTE),
      ),
    ).toMatchObject({ ledger: null, result: { kind: 'unchanged' } });
    // A later read without an amount or a date keeps what was recorded, and may decide the case.
    const won = applyChargebackRead(
      stored,
      readAt(
        facts({ amount: null, coverageApplied: true, dateLastUpdated: null, documentationStatus: null }),
        3 * MINUTE,
      ),
      context(3 * MINUTE),
    );
    expect(won.result).toMatchObject({ kind: 'changed', previous: 'open', chargeback: { status: 'won' } });
    expect(storedAfter(stored, won).chargebacks).toEqual([
      expect.objectContaining({
        amountMinor: 4_000,
        documentationStatus: 'pending',
        mercadoPagoUpdatedAt: at(MINUTE),
        createdAt: at(0),
        updatedAt: at(3 * MINUTE),
      }),
    ]);
  });

  it('a case that names no amount and was never seen counts the whole payment; no date: from now', () => {
    const ledger = ledgerOf(payment({ amount: 100 }));
    const change = applyChargebackRead(
      ledger,
      readAt(facts({ amount: 0, dateCreated: null, dateLastUpdated: null }), MINUTE),
      context(MINUTE),
    );
    expect(change.ledger?.chargebacks).toMatchObject([{ amountMinor: 10_000, createdAt: at(MINUTE) }]);
    expect(change.ledger?.chargebacks?.[0]?.mercadoPagoUpdatedAt).toBeUndefined();
  });
});

describe('documentation deadlines', () => {
  it('lists each open case due within the warning once, soonest first; a decided case leaves the list', () => {
    let ledger = ledgerOf(payment());
    ledger = storedAfter(ledger, applyChargebackRead(ledger, readAt(facts(), 0), context(0)));
    const soon = facts({ id: '218000000000000002', documentationDeadline: at(DAY) });
    ledger = storedAfter(ledger, applyChargebackRead(ledger, readAt(soon, 0), context(0)));
    const late = facts({ id: '218000000000000003', documentationDeadline: at(30 * DAY) });
    ledger = storedAfter(ledger, applyChargebackRead(ledger, readAt(late, 0), context(0)));
    const noDeadline = facts({ id: '218000000000000004', documentationDeadline: null });
    ledger = storedAfter(ledger, applyChargebackRead(ledger, readAt(noDeadline, 0), context(0)));

    const raised = raiseChargebackDeadlines(ledger, 3 * DAY, context(MINUTE));
    expect(raised.result.map((c) => c.id)).toEqual(['218000000000000002', '218000000000000001']);
    ledger = storedAfter(ledger, raised);
    expect(ledger.attention.map((a) => a.kind)).toEqual(['chargeback_deadline', 'chargeback_deadline']);
    // Raised again: nothing new is listed.
    expect(
      storedAfter(ledger, raiseChargebackDeadlines(ledger, 3 * DAY, context(2 * MINUTE))).attention,
    ).toHaveLength(2);

    const decided = applyChargebackRead(
      ledger,
      readAt(facts({ coverageApplied: false, dateLastUpdated: at(5 * MINUTE) }), 5 * MINUTE),
      context(5 * MINUTE),
    );
    ledger = storedAfter(ledger, decided);
    expect(ledger.attention.map((a) => a.key)).toEqual(['chargeback_deadline:218000000000000002']);
  });

  it('nothing due: nothing written', () => {
    const ledger = ledgerOf(payment());
    expect(raiseChargebackDeadlines(ledger, 3 * DAY, context(0))).toMatchObject({ ledger: null, result: [] });
  });
});
