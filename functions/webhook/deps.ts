/** What the webhook receiver needs, injected so tests and the local server can give their own. */

import type { NotificationDedupeStore } from '../adapters/dynamodb/dedupe-store.ts';
import type { HintLimiter } from '../adapters/dynamodb/hint-limiter.ts';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { NotificationWork } from '../operations/notification-work.ts';

/** Hands accepted work on: to the queue (AWS: answers 'queued') or to the processing itself (locally). */
export type Dispatch = (
  work: NotificationWork,
  options: { log: Logger; deadline: number },
) => Promise<string>;

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
}
