/**
 * A read of an Orders API order applied to its ledger (every path: the order routes, the till routes, the
 * `order` webhook, reconciliation), under the same rules as a payment read (payment-read.ts): the status
 * moves only forwards (by `last_updated_date`, else by the statuses' order), refunds follow the evidence
 * rules (`transactions.refunds[]`), a pending cancellation settles. What the ledger keeps of the order itself
 * (its payment transactions, creation date, site, till) follows the read. A read that brings no news
 * changes nothing, so nothing is written.
 */

import type { OrderFacts, Read } from '../facts.ts';
import { decimalsOf, roundToMinorUnits, SITE_CURRENCY, type SiteId } from '../money.ts';
import type { RuleContext } from '../settings.ts';
import { settleCancellationFromStatus } from './cancellation.ts';
import { draftOf, finish, type LedgerChange, note } from './change.ts';
import { newLedger, type ReadApplied } from './payment-read.ts';
import { applyRefundFacts } from './refund-facts.ts';
import { applyStatus } from './status.ts';
import { normalizeDate } from './statuses.ts';
import { type Ledger, LedgerKind, type OrderInfo, type OrderTransaction } from './types.ts';

export interface OrderReadOptions {
  /** The currency when the order names none (nor a site that implies one): MP_SITE_ID's. */
  defaultCurrency: string;
  /** This service put the order on this till (the till routes): open, it is re-read until it closes. */
  till?: string;
  /** The `data.version` of the `order` webhook that asked for this read. */
  version?: number;
}

/** The order's currency: its own word, else its site's, else the configured one. */
export const orderCurrencyOf = (facts: Pick<OrderFacts, 'currency' | 'siteId'>, fallback: string): string =>
  facts.currency ?? (facts.siteId ? SITE_CURRENCY[facts.siteId as SiteId] : undefined) ?? fallback;

const transactionsOf = (facts: OrderFacts, decimals: number): OrderTransaction[] =>
  facts.payments.map((payment) => ({
    id: payment.id,
    amountMinor: roundToMinorUnits(payment.amount, decimals),
    status: payment.status,
  }));

const sameTransactions = (a: readonly OrderTransaction[], b: readonly OrderTransaction[]): boolean =>
  a.length === b.length &&
  a.every((t, i) => t.id === b[i]?.id && t.amountMinor === b[i]?.amountMinor && t.status === b[i]?.status);

export const applyOrderRead = (
  current: Ledger | undefined,
  read: Read<OrderFacts>,
  context: RuleContext,
  options: OrderReadOptions,
): LedgerChange<ReadApplied> => {
  const { facts } = read;
  const currency = orderCurrencyOf(facts, options.defaultCurrency);
  const decimals = decimalsOf(currency);
  const totalMinor = roundToMinorUnits(facts.totalAmount, decimals);
  const updatedAt = normalizeDate(facts.lastUpdatedDate);
  const info: OrderInfo = {
    createdAt: normalizeDate(facts.createdDate),
    siteId: facts.siteId,
    externalReference: facts.externalReference,
    transactions: transactionsOf(facts, decimals),
  };
  // An order this service put on a till was born `created`: a first read finding it paid (or expired)
  // records that change, with its event (an order adopted after its create answer was lost).
  const born =
    options.till !== undefined
      ? { status: 'created', statusDetail: 'created', updatedAt: null }
      : { status: facts.status, statusDetail: facts.statusDetail, updatedAt };
  const draft =
    current === undefined
      ? draftOf(
          {
            ...newLedger(LedgerKind.Order, { id: facts.id, currency, totalMinor, ...born }, context),
            order: info,
          },
          context,
          true,
        )
      : draftOf(current, context);
  const { ledger } = draft;
  if (ledger.id !== facts.id) throw new Error(`a read of ${facts.id} applied to the ledger of ${ledger.id}`);
  const recorded = versionOf(ledger);

  const statusApplied = applyStatus(
    draft,
    { status: facts.status, statusDetail: facts.statusDetail, updatedAt },
    read.requestId,
  );
  if (statusApplied) {
    if (ledger.totalMinor !== totalMinor || ledger.currency !== currency) {
      note(
        draft,
        'amount_changed',
        `${ledger.totalMinor} ${ledger.currency} -> ${totalMinor} ${currency}`,
        read.requestId,
      );
      ledger.totalMinor = totalMinor;
      ledger.currency = currency;
    }
    const known = ledger.order;
    if (
      known === undefined ||
      !sameTransactions(known.transactions, info.transactions) ||
      known.createdAt !== (info.createdAt ?? known.createdAt) ||
      known.siteId !== (info.siteId ?? known.siteId) ||
      known.externalReference !== (info.externalReference ?? known.externalReference)
    ) {
      ledger.order = {
        ...known,
        createdAt: info.createdAt ?? known?.createdAt ?? null,
        siteId: info.siteId ?? known?.siteId ?? null,
        externalReference: info.externalReference ?? known?.externalReference ?? null,
        transactions: info.transactions,
      };
      draft.changed = true;
    }
  }
  if (options.till !== undefined && ledger.order !== undefined && ledger.order.till === undefined) {
    ledger.order.till = options.till;
    note(draft, 'till_order', `put on till ${options.till}`, read.requestId);
  }
  const held = applyRefundFacts(draft, {
    refunds: facts.refunds.map((refund) => ({ ...refund, subjectId: refund.subjectId ?? facts.id })),
    at: read.at,
    stale: !statusApplied,
    requestId: read.requestId,
  });
  if (statusApplied) settleCancellationFromStatus(draft, facts.status, facts.statusDetail);
  // A delivery's version is kept only with a change it brought: a read without news writes nothing.
  if (
    draft.changed &&
    ledger.order !== undefined &&
    options.version !== undefined &&
    options.version > (recorded ?? Number.NEGATIVE_INFINITY)
  )
    ledger.order.version = options.version;
  return finish(draft, { held, statusApplied });
};

const versionOf = (ledger: Ledger): number | undefined => ledger.order?.version;

/** An `order` delivery no newer than what the ledger recorded (`data.version`): it changes nothing. */
export const isStaleDelivery = (ledger: Ledger | undefined, version: number | undefined): boolean => {
  const recorded = ledger?.order?.version;
  return version !== undefined && recorded !== undefined && version <= recorded;
};
