/**
 * A refund request under its Idempotency-Key (payments and orders alike): a repeat answers the refund's
 * current state once its own attempt ended (an attempt still recorded in flight belongs to a request that is
 * running, 409, or died, resumed once its lock expired); a key the store no longer holds is remembered by the
 * ledger; the work runs under the claim.
 */
import { lockUntil } from '../config/timing.ts';
import { CallState, isOurs, type Ledger, RefundStatus } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { type KeyedRequestDeps, withIdempotencyKey } from '../operations/keyed-request.ts';
import type { IdempotencyRecord } from '../ports/idempotency-store.ts';
import { keyedResponse } from './keyed-response.ts';
import { refundResponse } from './refund-response.ts';
import type { HttpResponse } from './types.ts';

export interface KeyedRefundRequest {
  idempotencyKey: string;
  route: string;
  /** The payment or order. */
  subjectId: string;
  fingerprint: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

const answerOf = (ledger: Ledger, refundId: string | undefined): HttpResponse | undefined => {
  const entry = ledger.refunds.find((e) => e.id === refundId);
  if (!entry || !isOurs(entry)) return undefined;
  const unfinished = entry.status === RefundStatus.Pending && entry.call.state === CallState.InFlight;
  return unfinished ? undefined : refundResponse(ledger, entry);
};

export const keyedRefund = async (
  deps: KeyedRequestDeps,
  request: KeyedRefundRequest,
  run: (claim: IdempotencyRecord, ledger: Ledger | undefined) => Promise<HttpResponse>,
): Promise<HttpResponse> => {
  const outcome = await withIdempotencyKey(
    deps,
    {
      key: request.idempotencyKey,
      route: request.route,
      subjectId: request.subjectId,
      fingerprint: request.fingerprint,
      requestId: request.requestId,
      lockUntil: lockUntil(request.deadline),
      log: request.log,
      refundId: deps.newId('rf'),
    },
    {
      replay: (record, ledger) => (ledger ? answerOf(ledger, record.refundId) : undefined),
      remembered: (ledger) => {
        const entry = ledger.refunds.find(
          (e) => isOurs(e) && e.idempotencyKey === request.idempotencyKey && !e.keyFreed,
        );
        return entry && isOurs(entry)
          ? { fingerprint: entry.fingerprint, answer: answerOf(ledger, entry.id) }
          : undefined;
      },
      run,
    },
  );
  return keyedResponse(outcome);
};
