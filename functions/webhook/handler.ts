/** The webhook Lambda: POST /webhooks/mercadopago, the URL registered with Mercado Pago. */
import { createHttpHandler } from '../http/create-http-handler.ts';
import { loadWebhookConfig } from './config.ts';
import { webhookDeps } from './deps.ts';
import { webhookRoutes } from './routes.ts';

const deps = webhookDeps(loadWebhookConfig());
export const handler = createHttpHandler(webhookRoutes(async () => deps));
