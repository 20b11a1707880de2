/**
 * The one money path of a cancellation: an attempt already recorded in flight is sent to Mercado Pago with
 * its key and what it proves recorded (the refund path's rules: a refusal of a later attempt and a 409/423
 * prove nothing; a call never received leaves no record). Used by the route and by reconciliation.
 */

import type { Actor } from '../model/actor.ts';
import { type CancellationCallOutcome, recordCancellationCall } from '../model/ledger/cancellation.ts';
import type { LedgerEvent } from '../model/ledger/change.ts';
import { type CancellationRecord, CancellationStatus, type Ledger } from '../model/ledger/types.ts';
import type { Logger } from '../observability/logger.ts';
import { MetricName, putMetric } from '../observability/metrics.ts';
import { cancellationRefusalCode } from '../ports/mercadopago-errors.ts';
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

const refusalDetail = (code: string): string =>
  code === 'PAYMENT_NOT_FOUND'
    ? 'Mercado Pago did not find the payment.'
    : code === 'PAYMENT_NOT_CANCELLABLE'
      ? 'Mercado Pago says the payment cannot be cancelled in its current state; an approved payment is refunded instead.'
      : 'Mercado Pago refused the cancellation.';

export const sendCancellation = async (
  deps: LedgerDeps & MercadoPagoDeps,
  input: CancellationAttempt,
): Promise<SentCancellation> => {
  const { ledger, attempt, log } = input;
  const fields = { subjectId: ledger.id, attempt };
  let outcome: CancellationCallOutcome;
  let retryAfterSeconds = 0;
  try {
    const answer = await deps.mercadoPago.cancelPayment(ledger.id, {
      idempotencyKey: input.mercadoPagoKey,
      deadline: input.deadline,
      log,
    });
    const requestId = answer.mercadoPagoRequestId ? { requestId: answer.mercadoPagoRequestId } : {};
    outcome =
      answer.id === ledger.id
        ? { kind: 'answered', status: answer.status, statusDetail: answer.statusDetail, ...requestId }
        : {
            kind: 'unknown',
            detail: `the answer names payment ${answer.id}, not ${ledger.id}`,
            ...requestId,
          };
  } catch (error) {
    const failure = classifyWriteFailure(error, {
      attempt,
      refusalCode: cancellationRefusalCode,
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
