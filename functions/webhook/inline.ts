/** Locally (no NOTIFICATION_QUEUE_URL): the processor's code runs inline, before the answer. */
import { MercadoPagoError } from '../shared/mercadopago/errors.ts';
import { upstreamProblem } from '../shared/mercadopago/problems.ts';
import type { ProcessingDeps } from '../shared/notifications/deps.ts';
import { processNotification } from '../shared/notifications/process.ts';
import type { Dispatch } from './deps.ts';

export const inlineDispatch =
  (deps: ProcessingDeps): Dispatch =>
  async (work, options) => {
    try {
      return await processNotification(deps, work, options);
    } catch (error) {
      // Answered 5xx so that Mercado Pago delivers it again.
      if (error instanceof MercadoPagoError) throw upstreamProblem(error);
      throw error;
    }
  };
