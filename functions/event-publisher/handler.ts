/** The event publisher Lambda: the table's stream consumer, the only function that publishes events. */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { rootLogger } from '../observability/logger.ts';
import { loadEventPublisherConfig } from './config.ts';
import { eventSender } from './deps.ts';
import { publishOutboxes } from './publish-outboxes.ts';

const send = eventSender(loadEventPublisherConfig());
export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  publishOutboxes(send, event, rootLogger.child({ awsRequestId: context.awsRequestId }));
