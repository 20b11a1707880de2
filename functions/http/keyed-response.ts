import type { KeyedOutcome } from '../operations/keyed-request.ts';
import { ProblemError } from './problems.ts';
import type { HttpResponse } from './types.ts';

/** Answers what a keyed outcome means over HTTP (shared by the routes that take an Idempotency-Key). */
export const keyedResponse = (outcome: KeyedOutcome): HttpResponse => {
  switch (outcome.kind) {
    case 'ran':
      return outcome.response;
    case 'replayed':
      return { ...outcome.response, headers: { ...outcome.response.headers, 'idempotent-replayed': 'true' } };
    case 'in_progress':
      throw new ProblemError(
        'REFUND_IN_PROGRESS',
        'A request with this Idempotency-Key is still running; retry shortly.',
        {
          headers: { 'retry-after': '1' },
        },
      );
    case 'reused':
      throw new ProblemError('IDEMPOTENCY_KEY_REUSED', outcome.detail);
  }
};
