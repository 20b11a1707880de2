/** What the webhook receiver needs, injected so tests and the local server can give their own. */

import { createNotificationDedupeStore } from '../adapters/dynamodb/dedupe-store.ts';
import { createHintLimiter } from '../adapters/dynamodb/hint-limiter.ts';
import { createSecretResolver, parseWebhookSecrets } from '../adapters/secrets.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { HintLimiter, NotificationDedupeStore } from '../ports/notification-stores.ts';
import { createRuntime, processingDepsOf, type Runtime } from '../runtime/runtime.ts';
import type { WebhookConfig } from './config.ts';
import type { Dispatch } from './dispatch.ts';
import { queueDispatch, queueReportsWake } from './enqueue.ts';
import { inlineDispatch } from './inline.ts';

export interface WebhookDeps {
  /** The signing secrets of the current rotation (empty: none configured, every webhook is refused). */
  secrets: () => Promise<string[]>;
  toleranceSeconds: number;
  /** MP_USER_ID: notifications whose body names another seller are acknowledged and ignored. */
  userId: string | undefined;
  dedupe: NotificationDedupeStore;
  hints: HintLimiter;
  dispatch: Dispatch;
  clock: Clock;
  newId: (prefix: string) => string;
  /** Wakes the reports job on a report-ready notice (AWS: a message on its queue); absent: acknowledged only. */
  wakeReports?: (options: { log: Logger; deadline: number }) => Promise<void>;
}

export const webhookDeps = (
  config: WebhookConfig,
  runtime: Runtime = createRuntime(config.storage),
): WebhookDeps => {
  const source = config.signing.secrets;
  const resolve = createSecretResolver(source);
  return {
    secrets: async () => parseWebhookSecrets(await resolve(), source.kind),
    toleranceSeconds: config.signing.toleranceSeconds,
    userId: config.userId,
    dedupe: createNotificationDedupeStore(runtime.dynamo, runtime.tableName),
    hints: createHintLimiter(runtime.dynamo, runtime.tableName),
    dispatch:
      config.dispatch.kind === 'queue'
        ? queueDispatch(config.dispatch.queueUrl, runtime.clock)
        : inlineDispatch(processingDepsOf(config.dispatch.processing, runtime)),
    clock: runtime.clock,
    newId: runtime.newId,
    wakeReports:
      config.reportsWakeQueueUrl === undefined
        ? undefined
        : queueReportsWake(config.reportsWakeQueueUrl, runtime.clock),
  };
};
