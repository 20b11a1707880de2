/**
 * What a failed Mercado Pago write (refund or cancellation) means for the record of it, in one place:
 * - refused by a rule the contract names -> failed with that code (the answer is stored);
 * - refused otherwise (e.g. a 401 for our token) -> failed, 502, and the caller's key freed;
 * - certainly not done on the first attempt -> failed, 503 with Retry-After, and the key freed;
 * - anything that may have acted -> unknown: recorded pending, settled later.
 * A refusal of a re-send proves nothing (an earlier attempt with the key may have acted, and Mercado Pago need
 * not replay a key it forgot), and a 409 is a key still being processed there: both are unknown.
 */
import { type ProblemCode, ProblemError } from '../errors.ts';
import type { Failure } from '../ledger/types.ts';
import type { LogFields, Logger } from '../logger.ts';
import { MercadoPagoError, MpFailureKind } from './errors.ts';
import { upstreamProblem } from './problems.ts';

export type WriteFailure =
  | { kind: 'refused'; failure: Failure; releaseKeyWith?: ProblemError }
  | { kind: 'unknown'; note: string };

export interface WriteFailureOptions {
  /** No earlier attempt with this Mercado Pago key exists (not a resume, not a re-send). */
  firstAttempt: boolean;
  /** The contract's mapping of a refusal (refundRefusalCode, cancellationRefusalCode). */
  refusalCode: (error: MercadoPagoError) => ProblemCode | null;
  refusalDetail: (code: ProblemCode) => string;
  /** e.g. `refunded`, `cancelled`: "nothing was refunded". */
  verb: string;
  log: Logger;
  /** Ids for the log lines (refundId, paymentId). */
  fields: LogFields;
}

export const classifyWriteFailure = (error: unknown, options: WriteFailureOptions): WriteFailure => {
  const { log, fields, verb } = options;
  if (!(error instanceof MercadoPagoError)) {
    log.error(`${verb} call failed with an unexpected error: outcome unknown`, { ...fields, error });
    return { kind: 'unknown', note: 'unexpected error during the call' };
  }
  const upstream = {
    ...fields,
    kind: error.kind,
    httpStatus: error.httpStatus,
    causeCodes: error.causeCodes,
    attempts: error.attempts,
    mpRequestId: error.upstreamRequestId,
  };
  if (error.kind === MpFailureKind.Refused && error.httpStatus !== 409) {
    if (!options.firstAttempt) {
      log.warn('re-sent call refused: the first attempt may have acted, left pending', upstream);
      return {
        kind: 'unknown',
        note: `re-send refused (${error.httpStatus}): first attempt's outcome unknown`,
      };
    }
    log.warn('Mercado Pago refused the call', { ...upstream, upstreamMessage: error.upstreamMessage });
    const code = options.refusalCode(error);
    if (code) return { kind: 'refused', failure: { code, detail: options.refusalDetail(code) } };
    return {
      kind: 'refused',
      failure: { code: 'UPSTREAM_ERROR', detail: 'Mercado Pago answered unexpectedly.' },
      releaseKeyWith: new ProblemError(
        'UPSTREAM_ERROR',
        `Mercado Pago answered unexpectedly; nothing was ${verb}.`,
        {
          cause: error,
        },
      ),
    };
  }
  if (error.kind === MpFailureKind.Unavailable && options.firstAttempt) {
    log.warn('Mercado Pago unavailable: nothing done', upstream);
    return {
      kind: 'refused',
      failure: { code: 'UPSTREAM_UNAVAILABLE', detail: `Mercado Pago was unavailable; nothing was ${verb}.` },
      releaseKeyWith: upstreamProblem(error),
    };
  }
  log.warn('outcome unknown: recorded pending', upstream);
  return {
    kind: 'unknown',
    note: `outcome unknown (${error.kind}${error.httpStatus ? ` ${error.httpStatus}` : ''})`,
  };
};
