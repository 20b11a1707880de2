/**
 * The event publisher Lambda: consumes the table's stream (NEW_IMAGE, filtered to writes that stored an
 * outbox) and puts the events each write stored on the bus, with partial batch failures
 * (ReportBatchItemFailures). The only function that publishes events. Locally the same publishOutboxes runs
 * behind the forwarder in front of the embedded DynamoDB (local/stream-tap.ts). It reads EVENT_BUS_NAME only,
 * checked at cold start.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { defaultEventBridgeClient, putEvents } from '../adapters/eventbridge.ts';
import { loadEventPublisherConfig } from '../config/config.ts';
import { rootLogger } from '../observability/logger.ts';
import { publishOutboxes, type SendEvents } from './publish-outboxes.ts';

const { eventBusName } = loadEventPublisherConfig();
const send: SendEvents = (events) => putEvents(defaultEventBridgeClient(), eventBusName, events);

export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  publishOutboxes(send, event, rootLogger.child({ awsRequestId: context.awsRequestId }));
