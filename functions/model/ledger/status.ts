/**
 * A status read applied to a ledger: it moves the status only forwards (by Mercado Pago's
 * `date_last_updated`, else by the statuses' order), records the change in the status history, and makes a
 * `status.changed` event when the status word itself changed.
 */
import { actorName } from '../actor.ts';
import { type Draft, note } from './change.ts';
import { isNewerStatus } from './statuses.ts';
import { LedgerKind } from './types.ts';

/**
 * Status details that only follow refunds (`approved/partially_refunded`, an order's
 * `processed/partially_refunded`): the refunds themselves are the news, so such a change alone is not
 * written. Mercado Pago's current words are shown from each read.
 */
const isRefundBookkeeping = (kind: LedgerKind, status: string): boolean =>
  status === (kind === LedgerKind.Order ? 'processed' : 'approved');

/** Applies a status read: true when it was not older than the recorded one. */
export const applyStatus = (
  draft: Draft,
  read: { status: string; statusDetail: string | null; updatedAt: string | null },
  requestId?: string,
): boolean => {
  const { ledger, context } = draft;
  if (!isNewerStatus(ledger.kind, { status: ledger.status, updatedAt: ledger.statusUpdatedAt }, read))
    return false;
  const statusChanged = ledger.status !== read.status;
  const detailNews =
    ledger.statusDetail !== read.statusDetail && !isRefundBookkeeping(ledger.kind, read.status);
  if (!statusChanged && !detailNews) return true;
  const previousStatus = ledger.status;
  ledger.status = read.status;
  ledger.statusDetail = read.statusDetail;
  if (read.updatedAt !== null) ledger.statusUpdatedAt = read.updatedAt;
  ledger.statusHistory.push({
    status: read.status,
    statusDetail: read.statusDetail,
    at: context.now,
    by: actorName(context.by),
  });
  if (statusChanged) {
    draft.events.push({
      kind: 'status.changed',
      status: read.status,
      statusDetail: read.statusDetail,
      previousStatus,
      at: context.now,
    });
  }
  note(
    draft,
    'status_changed',
    `${previousStatus} -> ${read.status}${read.statusDetail ? `/${read.statusDetail}` : ''}`,
    requestId,
  );
  return true;
};
