/**
 * A read of a payment at Mercado Pago applied to its ledger (every path: the refund route, GET, the
 * notification processor, reconciliation): the status moves only forwards, refunds follow the evidence
 * rules (refund-facts.ts), a pending cancellation settles. A read that brings no news changes nothing, so
 * nothing is written.
 */

import { actorName } from '../actor.ts';
import type { PaymentFacts, Read } from '../facts.ts';
import { decimalsOf, roundToMinorUnits } from '../money.ts';
import type { RuleContext } from '../settings.ts';
import { settleCancellationFromStatus } from './cancellation.ts';
import { draftOf, finish, type LedgerChange, note } from './change.ts';
import { applyRefundFacts } from './refund-facts.ts';
import { applyStatus } from './status.ts';
import { normalizeDate } from './statuses.ts';
import { LEDGER_DOC_VERSION, type Ledger, LedgerKind } from './types.ts';

export interface ReadApplied {
  /** Mercado Pago refunds held for a pending refund of ours that could still be them. */
  held: string[];
  /** false: the read was older than the recorded status, which it left alone. */
  statusApplied: boolean;
}

export const newLedger = (
  kind: LedgerKind,
  facts: {
    id: string;
    currency: string;
    totalMinor: number;
    status: string;
    statusDetail: string | null;
    updatedAt: string | null;
  },
  context: RuleContext,
): Ledger => ({
  docVersion: LEDGER_DOC_VERSION,
  kind,
  id: facts.id,
  currency: facts.currency,
  totalMinor: facts.totalMinor,
  status: facts.status,
  statusDetail: facts.statusDetail,
  statusUpdatedAt: facts.updatedAt ?? undefined,
  statusHistory: [
    { status: facts.status, statusDetail: facts.statusDetail, at: context.now, by: actorName(context.by) },
  ],
  refunds: [],
  attention: [],
  history: [
    {
      at: context.now,
      by: actorName(context.by),
      change: 'status_recorded',
      detail: `${facts.status}${facts.statusDetail ? `/${facts.statusDetail}` : ''}`,
    },
  ],
  createdAt: context.now,
  updatedAt: context.now,
  version: 0,
});

export const applyPaymentRead = (
  current: Ledger | undefined,
  read: Read<PaymentFacts>,
  context: RuleContext,
): LedgerChange<ReadApplied> => {
  const { facts } = read;
  const totalMinor = roundToMinorUnits(facts.amount, decimalsOf(facts.currency));
  const updatedAt = normalizeDate(facts.dateLastUpdated);
  const draft =
    current === undefined
      ? draftOf(
          newLedger(
            LedgerKind.Payment,
            {
              id: facts.id,
              currency: facts.currency,
              totalMinor,
              status: facts.status,
              statusDetail: facts.statusDetail,
              updatedAt,
            },
            context,
          ),
          context,
          true,
        )
      : draftOf(current, context);
  const { ledger } = draft;
  if (ledger.id !== facts.id) throw new Error(`a read of ${facts.id} applied to the ledger of ${ledger.id}`);

  const statusApplied = applyStatus(
    draft,
    { status: facts.status, statusDetail: facts.statusDetail, updatedAt },
    read.requestId,
  );
  if (statusApplied && (ledger.totalMinor !== totalMinor || ledger.currency !== facts.currency)) {
    note(
      draft,
      'amount_changed',
      `${ledger.totalMinor} ${ledger.currency} -> ${totalMinor} ${facts.currency}`,
      read.requestId,
    );
    ledger.totalMinor = totalMinor;
    ledger.currency = facts.currency;
  }
  const held = applyRefundFacts(draft, {
    refunds: facts.refunds,
    at: read.at,
    stale: !statusApplied,
    requestId: read.requestId,
  });
  if (statusApplied) settleCancellationFromStatus(draft, facts.status, facts.statusDetail);
  return finish(draft, { held, statusApplied });
};
