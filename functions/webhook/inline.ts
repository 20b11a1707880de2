/** Locally (no NOTIFICATION_QUEUE_URL): the processor's code runs inline, before the answer. */

import { ProblemError } from '../http/problems.ts';
import { processNotification } from '../operations/process-notification.ts';
import type { ProcessingDeps } from '../operations/processing-deps.ts';
import { LedgerConflictError } from '../ports/ledger-store.ts';
import { MercadoPagoError } from '../ports/mercadopago-errors.ts';
import type { Dispatch } from './dispatch.ts';

export const inlineDispatch =
  (deps: ProcessingDeps): Dispatch =>
  async (work, options) => {
    try {
      return await processNotification(deps, work, options);
    } catch (error) {
      // Not processed (the re-read failed or answered about another resource, or the ledger stayed busy):
      // 503, so that Mercado Pago delivers it again. Never a 5xx that says "our bug" for contention.
      if (error instanceof MercadoPagoError || error instanceof LedgerConflictError) {
        throw new ProblemError(
          'UPSTREAM_UNAVAILABLE',
          'The notification could not be processed now; deliver it again.',
          {
            headers: { 'retry-after': '15' },
            cause: error,
          },
        );
      }
      throw error;
    }
  };
