/** Locally (no NOTIFICATION_QUEUE_URL): the processor's code runs inline, before the answer. */
import { ProblemError } from '../shared/errors.ts';
import { MercadoPagoError } from '../shared/mercadopago/errors.ts';
import type { ProcessingDeps } from '../shared/notifications/deps.ts';
import { processNotification } from '../shared/notifications/process.ts';
import { LedgerConflictError } from '../shared/storage/ledger-store.ts';
import type { Dispatch } from './deps.ts';

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
