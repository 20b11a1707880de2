/** The event publisher's one dependency: a sender of events to the bus. */
import { defaultEventBridgeClient, putEvents } from '../adapters/eventbridge.ts';
import type { EventPublisherConfig } from './config.ts';
import type { SendEvents } from './publish-outboxes.ts';

export const eventSender =
  (config: EventPublisherConfig): SendEvents =>
  (events) =>
    putEvents(defaultEventBridgeClient(), config.eventBusName, events);
