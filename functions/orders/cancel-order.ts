/**
 * POST /orders/{orderId}/cancellation: cancel an Orders API order not paid yet (operations/cancel-order.ts),
 * with the cancellation route's Idempotency-Key rules (optional; without one the Mercado Pago key is derived
 * from the order). 200 cancelled or expired (no call for an order already so), 202 pending while nobody can
 * know, 409 ORDER_NOT_CANCELLABLE once paid, 404, 503 (nothing sent, key freed), 502 (key freed).
 */

import { lockUntil } from '../config/timing.ts';
import { keyedResponse } from '../http/keyed-response.ts';
import { ProblemError, refusalProblem } from '../http/problems.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import { caller } from '../model/actor.ts';
import { sha256Hex } from '../model/ids.ts';
import { orderCancellationState } from '../model/ledger/cancellation.ts';
import type { Ledger } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { cancelOrder } from '../operations/cancel-order.ts';
import { withIdempotencyKey } from '../operations/keyed-request.ts';
import type { IdempotencyRecord } from '../ports/idempotency-store.ts';
import type { OrderDeps } from './deps.ts';
import { orderCancellationResponse } from './responses.ts';

export const CANCEL_ORDER_ROUTE = 'POST /orders/{orderId}/cancellation';

export interface CancelOrderInput {
  orderId: string;
  idempotencyKey: string | undefined;
  caller: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

export const orderCancellationFingerprint = (orderId: string): string =>
  sha256Hex(JSON.stringify([CANCEL_ORDER_ROUTE, orderId]));

type Claim = Pick<IdempotencyRecord, 'key' | 'lockOwner'> | undefined;

export const cancelOrderRoute = async (deps: OrderDeps, input: CancelOrderInput): Promise<HttpResponse> => {
  if (input.idempotencyKey === undefined) return runClaimed(deps, input, undefined, undefined);
  const key = input.idempotencyKey;
  const outcome = await withIdempotencyKey(
    deps,
    {
      key,
      route: CANCEL_ORDER_ROUTE,
      subjectId: input.orderId,
      fingerprint: orderCancellationFingerprint(input.orderId),
      requestId: input.requestId,
      lockUntil: lockUntil(input.deadline),
      log: input.log,
    },
    {
      // A stored 202 is answered with the current state (200 once the cancellation is known done).
      replay: (record, ledger) =>
        record.response?.status === 202
          ? orderCancellationResponse(input.orderId, orderCancellationState(ledger))
          : undefined,
      remembered: (ledger) =>
        ledger.cancellation?.idempotencyKey === key && !ledger.cancellation.keyFreed
          ? {
              fingerprint: orderCancellationFingerprint(input.orderId),
              answer: orderCancellationResponse(input.orderId, orderCancellationState(ledger)),
            }
          : undefined,
      run: (claim, ledger) => runClaimed(deps, input, claim, ledger),
    },
  );
  return keyedResponse(outcome);
};

const runClaimed = async (
  deps: OrderDeps,
  input: CancelOrderInput,
  claim: Claim,
  known: Ledger | undefined,
): Promise<HttpResponse> => {
  const { orderId } = input;
  const finish = async (response: HttpResponse) => {
    if (claim) await deps.idempotency.complete(claim.key, claim.lockOwner, response);
    return response;
  };
  const release = async () => {
    if (claim) await deps.idempotency.release(claim.key, claim.lockOwner);
  };
  let outcome: Awaited<ReturnType<typeof cancelOrder>>;
  try {
    outcome = await cancelOrder(deps, {
      orderId,
      idempotencyKey: input.idempotencyKey ?? null,
      by: caller(input.caller),
      deadline: input.deadline,
      log: input.log,
      known,
    });
  } catch (error) {
    // A pending attempt may be out there: answer its state (stored: a replay answers the state then).
    if (known?.cancellation?.status === 'pending')
      return finish(orderCancellationResponse(orderId, orderCancellationState(known)));
    await release();
    throw error;
  }
  switch (outcome.kind) {
    case 'not_found':
      return finish(problemResponse('ORDER_NOT_FOUND', `Order ${orderId} was not found.`));
    case 'checked': {
      const { check } = outcome;
      if (check.kind === 'refused') {
        input.log.info('order cancellation refused before calling Mercado Pago', {
          orderId,
          code: check.failure.code,
        });
        return finish(problemResponse(refusalProblem(check.failure.code), check.failure.detail));
      }
      const status = check.kind === 'already_expired' ? 'expired' : 'cancelled';
      return finish({ status: 200, body: { orderId, status, statusDetail: outcome.statusDetail } });
    }
    case 'busy':
      return keyedResponse({ kind: 'in_progress' });
    case 'not_sent':
      await release();
      throw new ProblemError(
        'UPSTREAM_UNAVAILABLE',
        'Mercado Pago is unavailable; nothing was cancelled. Retry later.',
        {
          headers: { 'retry-after': String(outcome.retryAfterSeconds) },
        },
      );
    case 'upstream_error':
      await release();
      throw new ProblemError('UPSTREAM_ERROR', outcome.failure.detail);
    case 'recorded':
      return finish(orderCancellationResponse(orderId, outcome.state));
  }
};
