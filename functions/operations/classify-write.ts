/**
 * What a failed Mercado Pago write (refund or cancellation) proves, in one place (API.md):
 * - refused by a rule the contract names -> failed with that code;
 * - refused otherwise (e.g. a 401 for our token) -> failed `UPSTREAM_ERROR`, and the caller's key is freed
 *   (502);
 * - no try with this Mercado Pago key can have reached Mercado Pago -> `not_sent` (503, nothing recorded);
 *   only on the key's first attempt: a resume or re-send follows an attempt that may have acted;
 * - anything that may have acted -> unknown (pending, settled later). A refusal of a later attempt proves
 *   nothing either (an earlier attempt with the key may have acted), nor does a 409/423 for a key in use
 *   (the transport reports those unknown; a 409 is `refused` only when the call named its code a refusal).
 */
import type { Failure, RefusalCode } from '../model/codes.ts';
import type { LogFields, Logger } from '../observability/logger.ts';
import { MercadoPagoError, MpFailureKind, ORDER_CONFLICT_REFUSALS } from '../ports/mercadopago-errors.ts';

export type WriteFailure =
  | { kind: 'refused'; failure: Failure; freesKey: boolean; requestId?: string }
  | { kind: 'not_sent'; detail: string; retryAfterSeconds: number }
  | { kind: 'unknown'; detail: string; requestId?: string };

export interface ClassifyOptions {
  /** The attempt number with this Mercado Pago key (1 = nothing was ever sent with it before). */
  attempt: number;
  /** The contract's mapping of a refusal; null = not one it names. */
  refusalCode: (error: MercadoPagoError) => RefusalCode | null;
  refusalDetail: (code: RefusalCode) => string;
  /** e.g. `refunded`: "nothing was refunded". */
  verb: string;
  log: Logger;
  fields: LogFields;
}

const DEFAULT_RETRY_AFTER_SECONDS = 5;

export const classifyWriteFailure = (error: unknown, options: ClassifyOptions): WriteFailure => {
  const { log, fields, verb } = options;
  if (!(error instanceof MercadoPagoError)) {
    log.error(`${verb} call failed with an unexpected error: outcome unknown`, { ...fields, error });
    return { kind: 'unknown', detail: 'unexpected error during the call' };
  }
  const requestId = error.upstreamRequestId;
  const upstream = {
    ...fields,
    kind: error.kind,
    httpStatus: error.httpStatus,
    causeCodes: error.causeCodes,
    attempts: error.attempts,
    mpRequestId: requestId,
  };
  const withId = requestId ? { requestId } : {};
  // A 409 is a refusal only when its code is one (the Orders API's `invalid_order_status`,
  // `order_already_refunded`; the transport says `refused` only then); a 409 or 423 for a key in use never is.
  const refusedConflict =
    error.httpStatus === 409 && error.causeCodes.some((code) => ORDER_CONFLICT_REFUSALS.includes(code));
  if (
    error.kind === MpFailureKind.Refused &&
    error.httpStatus !== 423 &&
    (error.httpStatus !== 409 || refusedConflict)
  ) {
    if (options.attempt > 1) {
      log.warn('a later attempt was refused: an earlier one may have acted, left pending', upstream);
      return {
        kind: 'unknown',
        detail: `attempt ${options.attempt} refused (${error.httpStatus})`,
        ...withId,
      };
    }
    log.warn('Mercado Pago refused the call', { ...upstream, upstreamMessage: error.upstreamMessage });
    const code = options.refusalCode(error);
    if (code)
      return {
        kind: 'refused',
        failure: { code, detail: options.refusalDetail(code) },
        freesKey: false,
        ...withId,
      };
    return {
      kind: 'refused',
      failure: {
        code: 'UPSTREAM_ERROR',
        detail: `Mercado Pago answered unexpectedly (${error.httpStatus}); nothing was ${verb}.`,
      },
      freesKey: true,
      ...withId,
    };
  }
  if (error.kind === MpFailureKind.Unavailable && options.attempt === 1) {
    log.warn('Mercado Pago unavailable: nothing done', upstream);
    return {
      kind: 'not_sent',
      detail: `Mercado Pago was unavailable (${error.httpStatus ?? 'no answer'}); nothing was ${verb}`,
      retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS)),
    };
  }
  log.warn('outcome unknown: recorded pending', upstream);
  return {
    kind: 'unknown',
    detail: `outcome unknown (${error.kind}${error.httpStatus ? ` ${error.httpStatus}` : ''})`,
    ...withId,
  };
};
