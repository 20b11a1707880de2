/** The webhook function's single route: any Content-Type (Mercado Pago's IPN may send none, or form data). */
import type { Routes } from '../http/types.ts';
import type { WebhookDeps } from './deps.ts';
import { receiveNotification } from './receive.ts';

export const WEBHOOK_ROUTE = 'POST /webhooks/mercadopago';

export const webhookRoutes = (deps: () => Promise<WebhookDeps>): Routes => ({
  [WEBHOOK_ROUTE]: {
    handler: async (req) => receiveNotification(await deps(), req),
    acceptAnyContentType: true,
  },
});
