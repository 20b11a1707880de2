/** The answers of the order cancellation route, from Mercado Pago's word or the ledger's stored state. */

import { refusalProblem } from '../http/problems.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import type { OrderCancellationState } from '../model/ledger/cancellation.ts';

/** 200 cancelled or expired, 202 pending, or the problem the cancellation failed with. */
export const orderCancellationResponse = (orderId: string, state: OrderCancellationState): HttpResponse => {
  if (state.status === 'cancelled' || state.status === 'expired')
    return { status: 200, body: { orderId, status: state.status, statusDetail: state.statusDetail } };
  if (state.status === 'failed')
    return problemResponse(refusalProblem(state.failure.code), state.failure.detail);
  return { status: 202, body: { orderId, status: 'pending' } };
};
