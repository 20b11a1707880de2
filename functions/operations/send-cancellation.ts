/**
 * The one money path of a cancellation: an attempt already recorded in flight is sent to Mercado Pago with
 * its key and what it proves recorded (the refund path's rules: a refusal of a later attempt and a 409/423
 * prove nothing; a call never received leaves no record). Used by the route and by reconciliation.
 */

import type { Actor } from '../model/actor.ts';
import { type CancellationCallOutcome, recordCancellationCall } from '../model/ledger/cancellation.ts';
import type { LedgerEvent } from '../model/ledger/change.ts';
import {
  type CancellationRecord,
  CancellationStatus,
  type Ledger,
  LedgerKind,
} from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';
import { cancellationRefusalCode, orderCancellationRefusalCode } from '../ports/mercadopago-errors.ts';
import { classifyWriteFailure } from './classify-write.ts';
import { type LedgerDeps, type MercadoPagoDeps, ruleContext } from './deps.ts';
import { observeEvents } from './observe.ts';
import { updateLedger } from './update-ledger.ts';

export interface CancellationAttempt {
  ledger: Ledger;
  attempt: number;
  mercadoPagoKey: string;
  by: Actor;
  deadline: number;
  log: Logger;
}

export type SentCancellation =
  | {
      kind: 'recorded';
      ledger: Ledger;
      record: CancellationRecord | undefined;
      events: readonly LedgerEvent[];
    }
  | { kind: 'not_sent'; ledger: Ledger; retryAfterSeconds: number };

const refusalDetail = (code: string): string => {
  switch (code) {
    case 'PAYMENT_NOT_FOUND':
      return 'Mercado Pago did not find the payment.';
    case 'PAYMENT_NOT_CANCELLABLE':
      return 'Mercado Pago says the payment cannot be cancelled in its current state; an approved payment is refunded instead.';
    case 'ORDER_NOT_FOUND':
      return 'Mercado Pago did not find the order.';
    case 'ORDER_NOT_CANCELLABLE':
      return 'Mercado Pago says the order is no longer open (paid, expired or cancelled); a paid order is refunded instead.';
    default:
      return 'Mercado Pago refused the cancellation.';
  }
};

export const sendCancellation = async (
  deps: LedgerDeps & MercadoPagoDeps,
  input: CancellationAttempt,
): Promise<SentCancellation> => {
  const { ledger, attempt, log } = input;
  const fields = { subjectId: ledger.id, attempt };
  let outcome: CancellationCallOutcome;
  let retryAfterSeconds = 0;
  const isOrder = ledger.kind === LedgerKind.Order;
  try {
    const call = { idempotencyKey: input.mercadoPagoKey, deadline: input.deadline, log };
    const answer = isOrder
      ? await deps.mercadoPago.cancelOrder(ledger.id, call)
      : await deps.mercadoPago.cancelPayment(ledger.id, call);
    const requestId = answer.mercadoPagoRequestId ? { requestId: answer.mercadoPagoRequestId } : {};
    outcome =
      // Order ids are compared upper case, as this service stores them.
      (isOrder ? answer.id.toUpperCase() : answer.id) === ledger.id
        ? { kind: 'answered', status: answer.status, statusDetail: answer.statusDetail, ...requestId }
        : {
            kind: 'unknown',
            detail: `the answer names ${isOrder ? 'order' : 'payment'} ${answer.id}, not ${ledger.id}`,
            ...requestId,
          };
  } catch (error) {
    const failure = classifyWriteFailure(error, {
      attempt,
      refusalCode: isOrder ? orderCancellationRefusalCode : cancellationRefusalCode,
      refusalDetail,
      verb: 'cancelled',
      log,
      fields,
    });
    if (failure.kind === 'not_sent') retryAfterSeconds = failure.retryAfterSeconds;
    outcome = failure;
  }
  const recorded = await updateLedger(
    deps.ledgers,
    ledger.id,
    ledger,
    (current) =>
      current
        ? recordCancellationCall(current, attempt, outcome, ruleContext(deps, input.by))
        : {
            ledger: null,
            events: [],
            result: { kind: 'recorded' as const, record: undefined, withdrawn: false },
          },
    deps.conflicts,
  );
  const stored = recorded.ledger ?? ledger;
  observeEvents(recorded.events, log, { countSettlements: false, fields });
  if (recorded.result.withdrawn) return { kind: 'not_sent', ledger: stored, retryAfterSeconds };
  const record = recorded.result.record;
  if (record?.status === CancellationStatus.Cancelled) putMetric(MetricName.CancellationSucceeded);
  else if (record?.status === CancellationStatus.Pending) putMetric(MetricName.CancellationPending);
  return { kind: 'recorded', ledger: stored, record, events: recorded.events };
};
