/** The answers of the cancellation route, built from Mercado Pago's word or the ledger's stored state. */

import { refusalProblem } from '../http/problems.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import type { CancellationState } from '../model/ledger/cancellation.ts';

export const cancelledResponse = (paymentId: string, statusDetail: string | null): HttpResponse => ({
  status: 200,
  body: { paymentId, status: 'cancelled', statusDetail },
});

export const pendingResponse = (paymentId: string): HttpResponse => ({
  status: 202,
  body: { paymentId, status: 'pending' },
});

/** 200 cancelled, 202 pending, or the problem the cancellation failed with. */
export const stateResponse = (paymentId: string, state: CancellationState): HttpResponse => {
  if (state.status === 'cancelled') return cancelledResponse(paymentId, state.statusDetail);
  if (state.status === 'failed')
    return problemResponse(refusalProblem(state.failure.code), state.failure.detail);
  return pendingResponse(paymentId);
};
