/**
 * POST /payments/{paymentId}/recheck and POST /orders/{orderId}/recheck: what reconciliation does for one
 * ledger, now, whether or not it is due (operations/check-ledger.ts: re-read, settle what the read settles,
 * re-send with its own key what is still within its window); answers the refunds view. An order is re-read
 * and the read applied (its refunds are re-sent by its own routes' reconciliation).
 */
import { ProblemError } from '../http/problems.ts';
import type { HttpResponse } from '../http/types.ts';
import { person } from '../model/actor.ts';
import { must } from '../model/invariant.ts';
import { LedgerKind } from '../model/ledger/types.ts';
import { refundsView } from '../model/ledger/view.ts';
import type { Logger } from '../observability/logger.ts';
import { checkLedger } from '../operations/check-ledger.ts';
import { ruleContext } from '../operations/deps.ts';
import { observeEvents } from '../operations/observe.ts';
import { updateLedger } from '../operations/update-ledger.ts';
import type { OpsDeps } from './deps.ts';
import { readerOf, type Subject, subjectNotFound } from './subject.ts';

export const recheck = async (
  deps: OpsDeps,
  input: { subject: Subject; caller: string; deadline: number; log: Logger },
): Promise<HttpResponse> => {
  const { subject, log } = input;
  const by = person(input.caller);
  const stored = await deps.ledgers.get(subject.id);
  if (!stored) throw subjectNotFound(subject);
  if (subject.kind === LedgerKind.Payment) {
    const checked = await checkLedger(deps, subject.id, {
      log,
      deadline: input.deadline,
      by,
      whenDue: false,
    });
    const { ledger, payment } = checked;
    if (payment === undefined || ledger === undefined)
      throw new ProblemError(
        'UPSTREAM_ERROR',
        `Mercado Pago does not show payment ${subject.id} to this seller now; nothing was changed.`,
      );
    log.info('rechecked by a person', {
      subjectId: subject.id,
      settled: checked.settled,
      resent: checked.resent,
    });
    return { status: 200, body: refundsView(ledger, payment) };
  }
  const read = await readerOf(deps, subject).read(subject.id, { deadline: input.deadline, log });
  if (read.kind === 'not_found') throw subjectNotFound(subject, 'Mercado Pago does not find it');
  const applied = await updateLedger(
    deps.ledgers,
    subject.id,
    stored,
    (current) => read.read.apply(current, ruleContext(deps, by)),
    deps.conflicts,
  );
  observeEvents(applied.events, log, { countSettlements: true, fields: { subjectId: subject.id } });
  return {
    status: 200,
    body: refundsView(must(applied.ledger, 'a rechecked order has its ledger'), read.read),
  };
};
