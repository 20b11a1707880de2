/**
 * Chargebacks and disputes on a ledger (API.md, "Chargebacks"): a case read at Mercado Pago is recorded on
 * each payment it names, `open` while undecided (also for the SDK form's `new` / `in_review`), `won` when
 * coverage was applied, the status says won or the payment became `reimbursed`, `lost` when coverage was
 * refused, the status says lost or the payment was `settled`. A read older than the recorded one, or that
 * brings no news, changes nothing. A settlement report's chargeback and dispute rows record a case the
 * ledger does not know yet. A case whose documentation is due soon is listed for a person.
 */
import type { ChargebackFacts, Read } from '../facts.ts';
import { decimalsOf, roundToMinorUnits } from '../money.ts';
import { nowMsOf, type RuleContext } from '../settings.ts';
import { type Draft, draftOf, finish, type LedgerChange, note, raise, unchanged } from './change.ts';
import { normalizeDate } from './statuses.ts';
import {
  AttentionKind,
  type ChargebackKind,
  type ChargebackRecord,
  ChargebackStatus,
  type Ledger,
} from './types.ts';

/** The case's outcome from the case itself, else from the payment's status detail (NOTES §3). */
export const chargebackStatusOf = (
  facts: Pick<ChargebackFacts, 'coverageApplied' | 'status'>,
  payment: { status: string; statusDetail: string | null } | null,
): ChargebackStatus => {
  if (facts.coverageApplied === true) return ChargebackStatus.Won;
  if (facts.coverageApplied === false) return ChargebackStatus.Lost;
  const word = facts.status?.toLowerCase();
  if (word === 'won') return ChargebackStatus.Won;
  if (word === 'lost') return ChargebackStatus.Lost;
  if (payment?.status === 'charged_back') {
    if (payment.statusDetail === 'reimbursed') return ChargebackStatus.Won;
    if (payment.statusDetail === 'settled') return ChargebackStatus.Lost;
  }
  return ChargebackStatus.Open;
};

export type ChargebackApplied =
  | { kind: 'recorded'; chargeback: ChargebackRecord }
  | { kind: 'changed'; chargeback: ChargebackRecord; previous: ChargebackStatus }
  | { kind: 'unchanged' }
  | { kind: 'stale' };

const sameRecord = (a: ChargebackRecord, b: ChargebackRecord): boolean =>
  a.status === b.status &&
  a.amountMinor === b.amountMinor &&
  a.documentationStatus === b.documentationStatus &&
  a.documentationDeadline === b.documentationDeadline;

const deadlineKey = (id: string) => `chargeback_deadline:${id}`;

/** Stores `next` on the draft with its event and history line (`previous`: the record it replaces). */
const put = (draft: Draft, next: ChargebackRecord, previous: ChargebackRecord | undefined): void => {
  draft.ledger.chargebacks ??= [];
  const list = draft.ledger.chargebacks;
  const index = list.findIndex((c) => c.id === next.id);
  if (index >= 0) list[index] = next;
  else list.push(next);
  draft.events.push({
    kind: 'chargeback.changed',
    chargeback: structuredClone(next),
    previous: previous?.status ?? null,
  });
  const what =
    previous === undefined
      ? `${next.kind}_opened`
      : previous.status !== next.status
        ? `${next.kind}_${next.status}`
        : `${next.kind}_updated`;
  note(
    draft,
    what,
    `${next.id}: ${next.status}, ${next.amountMinor} minor units` +
      (next.documentationDeadline ? `, documentation due ${next.documentationDeadline}` : '') +
      (next.documentationStatus ? ` (${next.documentationStatus})` : ''),
  );
  // A decided case needs no evidence any more: its deadline finding goes.
  if (next.status !== ChargebackStatus.Open)
    draft.ledger.attention = draft.ledger.attention.filter((item) => item.key !== deadlineKey(next.id));
};

/** A read of a chargeback case applied to one payment's ledger (which the caller brought up to date). */
export const applyChargebackRead = (
  current: Ledger,
  read: Read<ChargebackFacts>,
  context: RuleContext,
): LedgerChange<ChargebackApplied> => {
  const { facts } = read;
  const existing = current.chargebacks?.find((c) => c.id === facts.id);
  const updatedAt = normalizeDate(facts.dateLastUpdated);
  if (
    existing?.mercadoPagoUpdatedAt !== undefined &&
    updatedAt !== null &&
    updatedAt < existing.mercadoPagoUpdatedAt
  )
    return unchanged({ kind: 'stale' });
  const amountMinor =
    facts.amount !== null && facts.amount !== 0
      ? roundToMinorUnits(Math.abs(facts.amount), decimalsOf(current.currency))
      : (existing?.amountMinor ?? current.totalMinor);
  const next: ChargebackRecord = {
    id: facts.id,
    kind: 'chargeback',
    amountMinor,
    status: chargebackStatusOf(facts, current),
    documentationStatus: facts.documentationStatus ?? existing?.documentationStatus ?? null,
    documentationDeadline: normalizeDate(facts.documentationDeadline),
    createdAt: existing?.createdAt ?? normalizeDate(facts.dateCreated) ?? context.now,
    updatedAt: context.now,
    mercadoPagoUpdatedAt: updatedAt ?? existing?.mercadoPagoUpdatedAt,
  };
  if (existing !== undefined && sameRecord(existing, next)) return unchanged({ kind: 'unchanged' });
  const draft = draftOf(current, context);
  put(draft, next, existing);
  return finish(
    draft,
    existing === undefined
      ? { kind: 'recorded', chargeback: next }
      : { kind: 'changed', chargeback: next, previous: existing.status },
  );
};

/** A chargeback or dispute a report row shows, recorded when the ledger does not know it yet. */
export const recordChargebackRow = (
  draft: Draft,
  row: { id: string; kind: ChargebackKind; amountMinor: number; date: string | null },
): boolean => {
  if (draft.ledger.chargebacks?.some((c) => c.id === row.id)) return false;
  put(
    draft,
    {
      id: row.id,
      kind: row.kind,
      amountMinor: row.amountMinor,
      status: ChargebackStatus.Open,
      documentationStatus: null,
      documentationDeadline: null,
      createdAt: row.date ?? draft.context.now,
      updatedAt: draft.context.now,
    },
    undefined,
  );
  return true;
};

/** Open chargebacks whose documentation is due within `warningMs` (or overdue), soonest first. */
export const chargebacksDueSoon = (
  ledger: Pick<Ledger, 'chargebacks'>,
  nowMs: number,
  warningMs: number,
): ChargebackRecord[] =>
  (ledger.chargebacks ?? [])
    .filter(
      (c) =>
        c.status === ChargebackStatus.Open &&
        c.documentationDeadline !== null &&
        Date.parse(c.documentationDeadline) - nowMs <= warningMs,
    )
    .sort((a, b) => (a.documentationDeadline ?? '').localeCompare(b.documentationDeadline ?? ''));

/** Lists each open chargeback due soon for a person, once (API.md: `chargeback_deadline`). */
export const raiseChargebackDeadlines = (
  current: Ledger,
  warningMs: number,
  context: RuleContext,
): LedgerChange<ChargebackRecord[]> => {
  const due = chargebacksDueSoon(current, nowMsOf(context), warningMs);
  if (due.length === 0) return unchanged(due);
  const draft = draftOf(current, context);
  for (const chargeback of due) {
    raise(draft, {
      kind: AttentionKind.ChargebackDeadline,
      key: deadlineKey(chargeback.id),
      detail: `Chargeback ${chargeback.id} of ${current.id}: documentation is due ${chargeback.documentationDeadline}; send the evidence to Mercado Pago before then.`,
    });
  }
  return finish(draft, due);
};
