/**
 * The SQS consumer: each message is one notification's work (see operations/notification-work.ts), processed
 * by the same code the webhook runs inline locally. A message that fails is reported in
 * `batchItemFailures`, so only it is retried; after five receives SQS moves it to the dead-letter queue.
 */
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../observability/logger.ts';
import { parseNotificationWork } from '../operations/notification-work.ts';
import { runPool } from '../operations/pool.ts';
import { processNotification } from '../operations/process-notification.ts';
import type { ProcessingDeps } from '../operations/processing-deps.ts';

const CONCURRENCY = 4;

export const processBatch = async (
  deps: ProcessingDeps,
  event: SQSEvent,
  options: { log: Logger; deadline: number },
): Promise<SQSBatchResponse> => {
  const failures: SQSBatchItemFailure[] = [];
  await runPool(event.Records, CONCURRENCY, async (record) => {
    const log = options.log.child({
      messageId: record.messageId,
      receiveCount: record.attributes?.ApproximateReceiveCount,
    });
    const work = parseNotificationWork(record.body);
    if (!work) {
      log.error('queued notification not readable: left to the dead-letter queue', {
        bodyLength: record.body.length,
      });
      failures.push({ itemIdentifier: record.messageId });
      return;
    }
    try {
      const outcome = await processNotification(deps, work, { log, deadline: options.deadline });
      log.info('notification processed', {
        resource: work.resource,
        resourceId: work.id,
        outcome,
        mpRequestId: work.requestId,
      });
    } catch (error) {
      log.error('notification processing failed: will be retried', {
        error,
        resource: work.resource,
        resourceId: work.id,
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  });
  return { batchItemFailures: failures };
};
