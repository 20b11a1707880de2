/** The answers of the refund routes, built from ledger state so a replay answers the current truth. */
import { problemResponse } from '../shared/http/response.ts';
import type { HttpResponse } from '../shared/http/types.ts';
import { refundView } from '../shared/ledger/refund-view.ts';
import { type PaymentLedger, type RefundEntry, RefundStatus } from '../shared/ledger/types.ts';

/** 201 succeeded, 202 pending, or the problem the refund failed with. */
export const refundResponse = (ledger: PaymentLedger, entry: RefundEntry): HttpResponse => {
  if (entry.status === RefundStatus.Failed) {
    const failure = entry.failure ?? { code: 'REFUND_REJECTED', detail: 'The refund failed.' };
    return problemResponse(failure.code, failure.detail);
  }
  return { status: entry.status === RefundStatus.Succeeded ? 201 : 202, body: refundView(ledger, entry) };
};
