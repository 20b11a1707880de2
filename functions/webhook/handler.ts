/**
 * The webhook Lambda: POST /webhooks/mercadopago, the URL registered with Mercado Pago. In AWS it verifies,
 * dedupes and enqueues (the notification processor does the work); without NOTIFICATION_QUEUE_URL the same
 * processing runs inline. Configuration is checked here, at cold start.
 */

import { createNotificationDedupeStore } from '../adapters/dynamodb/dedupe-store.ts';
import { createHintLimiter } from '../adapters/dynamodb/hint-limiter.ts';
import { createSecretResolver, parseWebhookSecrets } from '../adapters/secrets.ts';
import { loadConfig } from '../config/config.ts';
import { createHttpHandler } from '../http/create-http-handler.ts';
import { processingDeps } from '../processing-runtime.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import type { WebhookDeps } from './deps.ts';
import { queueDispatch } from './enqueue.ts';
import { inlineDispatch } from './inline.ts';
import { webhookRoutes } from './routes.ts';

export const webhookDeps = (runtime: Runtime): WebhookDeps => {
  const { config } = runtime;
  const source = config.webhook.secrets;
  const resolve = source ? createSecretResolver(source) : undefined;
  return {
    secrets: async () => (source && resolve ? parseWebhookSecrets(await resolve(), source.kind) : []),
    toleranceSeconds: config.webhook.toleranceSeconds,
    userId: config.mercadoPago.userId,
    dedupe: createNotificationDedupeStore(runtime.dynamo, config.tableName),
    hints: createHintLimiter(runtime.dynamo, config.tableName),
    dispatch: config.notificationQueueUrl
      ? queueDispatch(config.notificationQueueUrl)
      : inlineDispatch(processingDeps(runtime)),
    clock: runtime.clock,
    newId: runtime.newId,
  };
};

const deps = webhookDeps(createRuntime(loadConfig()));

export const handler = createHttpHandler(webhookRoutes(async () => deps));
