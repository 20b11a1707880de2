/**
 * The event publisher Lambda (AWS only): consumes the table's stream (NEW_IMAGE, ledger items only) and puts
 * the events each ledger write stored on the bus, with partial batch failures (ReportBatchItemFailures).
 * Locally there is no stream: the functions publish inline (EVENTS_VIA_STREAM unset). It reads EVENT_BUS_NAME
 * only, checked at cold start.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { loadEventPublisherConfig } from '../shared/config.ts';
import { defaultEventBridgeClient, putEvents } from '../shared/events/eventbridge-publisher.ts';
import { rootLogger } from '../shared/logger.ts';
import { publishOutboxes, type SendEvents } from './publish-outboxes.ts';

const { eventBusName } = loadEventPublisherConfig();
const send: SendEvents = (events) => putEvents(defaultEventBridgeClient(), eventBusName, events);

export const handler = async (event: DynamoDBStreamEvent, context: Context): Promise<DynamoDBBatchResponse> =>
  publishOutboxes(send, event, rootLogger.child({ awsRequestId: context.awsRequestId }));
