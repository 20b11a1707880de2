/**
 * The answer of a refund (payments' and orders' refund routes), built from ledger state so a replay answers
 * the current truth.
 */

import { RefusalCode } from '../model/codes.ts';
import { type Ledger, type RefundEntry, RefundStatus } from '../model/ledger/types.ts';
import { refundView } from '../model/ledger/view.ts';
import { refusalProblem } from './problems.ts';
import { problemResponse } from './response.ts';
import type { HttpResponse } from './types.ts';

/** 201 succeeded, 202 pending, or the problem the refund failed with. */
export const refundResponse = (ledger: Ledger, entry: RefundEntry): HttpResponse => {
  if (entry.status === RefundStatus.Failed) {
    const failure = entry.failure ?? { code: RefusalCode.RefundRejected, detail: 'The refund failed.' };
    return problemResponse(refusalProblem(failure.code), failure.detail);
  }
  return { status: entry.status === RefundStatus.Succeeded ? 201 : 202, body: refundView(ledger, entry) };
};
