/** How Mercado Pago failures that no route-specific rule maps become this service's problems. */

import { type MercadoPagoError, MpFailureKind } from '../ports/mercadopago-errors.ts';
import { ProblemError } from './problems.ts';

const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** 503 when Mercado Pago certainly did not act (or a read could not complete), 502 when it answered oddly. */
export const upstreamProblem = (error: MercadoPagoError): ProblemError => {
  if (error.kind === MpFailureKind.Unavailable || error.kind === MpFailureKind.UnknownOutcome) {
    const retryAfter = Math.max(1, Math.ceil(error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS));
    return new ProblemError(
      'UPSTREAM_UNAVAILABLE',
      'Mercado Pago is unavailable; nothing was done. Retry later.',
      {
        headers: { 'retry-after': String(retryAfter) },
        cause: error,
      },
    );
  }
  return new ProblemError('UPSTREAM_ERROR', 'Mercado Pago answered unexpectedly; nothing was done.', {
    cause: error,
  });
};
