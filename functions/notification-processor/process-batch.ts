/**
 * The SQS consumer: each message is one notification's work (see shared/notifications/work.ts), processed
 * by the same code the webhook runs inline locally. A message that fails is reported in
 * `batchItemFailures`, so only it is retried; after five receives SQS moves it to the dead-letter queue.
 */
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../shared/logger.ts';
import type { ProcessingDeps } from '../shared/notifications/deps.ts';
import { runPool } from '../shared/notifications/pool.ts';
import { processNotification } from '../shared/notifications/process.ts';
import { parseNotificationWork } from '../shared/notifications/work.ts';

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
