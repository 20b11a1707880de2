/**
 * POST .../refunds/{refundId}/resolution and POST .../cancellation/resolution: a person's decision, under the
 * Idempotency-Key protocol (operations/keyed-request.ts; every answer is stored, a repeat replays it). Mercado
 * Pago is read once; the read and the decision are one conditional write (model/ledger/resolution.ts), whose
 * outbox publishes the outcome like any other (`Refund Succeeded` / `Refund Failed`, with `resolution`).
 */
import { lockUntil } from '../config/timing.ts';
import { keyedResponse } from '../http/keyed-response.ts';
import { ProblemError } from '../http/problems.ts';
import { problemResponse } from '../http/response.ts';
import type { HttpResponse } from '../http/types.ts';
import { person } from '../model/actor.ts';
import { sha256Hex } from '../model/ids.ts';
import { andThen, type LedgerChange, unchanged } from '../model/ledger/change.ts';
import {
  type CancellationResolution,
  type RefundResolution,
  resolveCancellation,
  resolveRefund,
} from '../model/ledger/resolution.ts';
import type { Ledger } from '../model/ledger/types.ts';
import { refundView, resolutionView, subjectField } from '../model/ledger/view.ts';
import type { RuleContext } from '../model/settings.ts';
import type { Logger } from '../observability/logger.ts';
import { ruleContext } from '../operations/deps.ts';
import { withIdempotencyKey } from '../operations/keyed-request.ts';
import { observeEvents } from '../operations/observe.ts';
import { updateLedger } from '../operations/update-ledger.ts';
import type { IdempotencyRecord } from '../ports/idempotency-store.ts';
import type { OpsDeps } from './deps.ts';
import type { CancellationResolutionBody, RefundResolutionBody } from './schemas.ts';
import { readerOf, type Subject, subjectNotFound, subjectPath } from './subject.ts';
import type { FreshRead } from './subjects.ts';

interface Request {
  subject: Subject;
  idempotencyKey: string;
  caller: string;
  requestId: string;
  deadline: number;
  log: Logger;
}

/** A problem as an answer to store under the key. */
const problemOf = (error: ProblemError): HttpResponse => problemResponse(error.code, error.detail);

/**
 * Runs a decision under its key: the ledger must exist, Mercado Pago is read (a failed read frees the key:
 * nothing was decided), then `decide` runs on the ledger the read brought up to date, in one write.
 */
const underKey = async <T>(
  deps: OpsDeps,
  request: Request,
  keyed: { route: string; fingerprint: string; remembered: (ledger: Ledger) => HttpResponse | undefined },
  decide: (ledger: Ledger, read: FreshRead, context: RuleContext) => LedgerChange<T>,
  answer: (ledger: Ledger, result: T, read: FreshRead) => HttpResponse,
): Promise<HttpResponse> => {
  const { subject, log } = request;
  const run = async (claim: IdempotencyRecord, known: Ledger | undefined): Promise<HttpResponse> => {
    const finish = async (response: HttpResponse) => {
      await deps.idempotency.complete(claim.key, claim.lockOwner, response);
      return response;
    };
    if (!known) return finish(problemOf(subjectNotFound(subject)));
    let fresh: Awaited<ReturnType<ReturnType<typeof readerOf>['read']>>;
    try {
      fresh = await readerOf(deps, subject).read(subject.id, { deadline: request.deadline, log });
    } catch (error) {
      await deps.idempotency.release(claim.key, claim.lockOwner);
      throw error;
    }
    if (fresh.kind === 'not_found')
      return finish(problemOf(subjectNotFound(subject, 'Mercado Pago does not find it now')));
    const { read } = fresh;
    const context = ruleContext(deps, person(request.caller));
    const applied = await updateLedger<T | undefined>(
      deps.ledgers,
      subject.id,
      known,
      (current): LedgerChange<T | undefined> => {
        if (!current) return unchanged(undefined);
        const synced = read.apply(current, context);
        return andThen(synced, synced.ledger ?? current, (ledger) => decide(ledger, read, context));
      },
      deps.conflicts,
    );
    observeEvents(applied.events, log, { countSettlements: true, fields: { subjectId: subject.id } });
    if (applied.ledger === undefined || applied.result === undefined)
      return finish(problemOf(subjectNotFound(subject)));
    return finish(answer(applied.ledger, applied.result, read));
  };
  const outcome = await withIdempotencyKey(
    deps,
    {
      key: request.idempotencyKey,
      route: keyed.route,
      subjectId: subject.id,
      fingerprint: keyed.fingerprint,
      requestId: request.requestId,
      lockUntil: lockUntil(request.deadline),
      log,
    },
    {
      // Every answer is stored; one that was not (the function died after its write) is derived from the ledger.
      replay: (_record, ledger) => (ledger ? keyed.remembered(ledger) : undefined),
      remembered: (ledger) => {
        const answer = keyed.remembered(ledger);
        return answer ? { fingerprint: keyed.fingerprint, answer } : undefined;
      },
      run,
    },
  );
  return keyedResponse(outcome);
};

const refusal = (result: Exclude<RefundResolution | CancellationResolution, { kind: 'resolved' }>) => {
  switch (result.kind) {
    case 'not_found':
      return undefined;
    case 'already_settled':
      return problemResponse('REFUND_ALREADY_SETTLED', result.detail);
    case 'too_early':
      return problemResponse('RESOLUTION_TOO_EARLY', result.detail);
    case 'conflict':
      return problemResponse('RESOLUTION_CONFLICT', result.detail);
  }
};

export const resolveRefundRoute = (
  deps: OpsDeps,
  request: Request & { refundId: string; body: RefundResolutionBody },
): Promise<HttpResponse> => {
  const { subject, refundId, body } = request;
  if (body.outcome === 'succeeded' && body.mercadoPagoRefundId === undefined)
    throw new ProblemError('VALIDATION_ERROR', 'mercadoPagoRefundId: is required when outcome is succeeded', {
      errors: [{ field: 'mercadoPagoRefundId', message: 'is required when outcome is succeeded' }],
    });
  if (body.outcome === 'failed' && body.mercadoPagoRefundId !== undefined)
    throw new ProblemError(
      'VALIDATION_ERROR',
      'mercadoPagoRefundId: is only given when outcome is succeeded',
      {
        errors: [{ field: 'mercadoPagoRefundId', message: 'is only given when outcome is succeeded' }],
      },
    );
  const route = `POST ${subjectPath(subject)}/refunds/{refundId}/resolution`;
  const fingerprint = sha256Hex(
    JSON.stringify([route, subject.id, refundId, body.outcome, body.mercadoPagoRefundId ?? null, body.note]),
  );
  const decision = {
    refundId,
    outcome: body.outcome,
    mercadoPagoRefundId: body.mercadoPagoRefundId,
    note: body.note,
    idempotencyKey: request.idempotencyKey,
    fingerprint,
  };
  return underKey(
    deps,
    request,
    {
      route,
      fingerprint,
      remembered: (ledger) => {
        const entry = ledger.refunds.find((e) => e.resolution?.idempotencyKey === request.idempotencyKey);
        return entry ? { status: 200, body: refundView(ledger, entry) } : undefined;
      },
    },
    (ledger, read) =>
      resolveRefund(ledger, decision, { refunds: read.refunds }, ruleContext(deps, person(request.caller))),
    (ledger, result) => {
      if (result.kind === 'resolved') {
        request.log.info('refund resolved by a person', {
          subjectId: subject.id,
          refundId,
          outcome: result.entry.status,
          reattributedFrom: result.entry.resolution?.reattributedFrom,
        });
        return { status: 200, body: refundView(ledger, result.entry) };
      }
      return (
        refusal(result) ??
        problemResponse(
          'REFUND_NOT_FOUND',
          `Refund ${refundId} of ${subject.kind} ${subject.id} was not found.`,
        )
      );
    },
  );
};

const cancellationAnswer = (ledger: Ledger): HttpResponse => ({
  status: 200,
  body: {
    ...subjectField(ledger),
    status: ledger.status,
    statusDetail: ledger.statusDetail,
    resolution: ledger.cancellation?.resolution ? resolutionView(ledger.cancellation.resolution) : undefined,
  },
});

export const resolveCancellationRoute = (
  deps: OpsDeps,
  request: Request & { body: CancellationResolutionBody },
): Promise<HttpResponse> => {
  const { subject, body } = request;
  const route = `POST ${subjectPath(subject)}/cancellation/resolution`;
  const fingerprint = sha256Hex(JSON.stringify([route, subject.id, body.outcome, body.note]));
  const decision = {
    outcome: body.outcome,
    note: body.note,
    idempotencyKey: request.idempotencyKey,
    fingerprint,
  };
  return underKey(
    deps,
    request,
    {
      route,
      fingerprint,
      remembered: (ledger) =>
        ledger.cancellation?.resolution?.idempotencyKey === request.idempotencyKey
          ? cancellationAnswer(ledger)
          : undefined,
    },
    (ledger, read) =>
      resolveCancellation(ledger, decision, read.status, ruleContext(deps, person(request.caller))),
    (ledger, result) => {
      if (result.kind === 'resolved') {
        request.log.info('cancellation resolved by a person', {
          subjectId: subject.id,
          outcome: body.outcome,
        });
        return cancellationAnswer(ledger);
      }
      return (
        refusal(result) ??
        problemResponse(
          'RESOLUTION_CONFLICT',
          `No cancellation of ${subject.kind} ${subject.id} was asked of this service: there is nothing to resolve.`,
        )
      );
    },
  );
};
