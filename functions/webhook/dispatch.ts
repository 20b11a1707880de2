import type { Logger } from '../observability/logger.ts';
import type { NotificationWork } from '../operations/notification-work.ts';
import type { NotificationOutcome } from '../operations/process-notification.ts';

/** Hands accepted work on: to the queue (AWS: answers 'queued') or to the processing itself (locally). */
export type Dispatch = (
  work: NotificationWork,
  options: { log: Logger; deadline: number },
) => Promise<'queued' | NotificationOutcome>;
