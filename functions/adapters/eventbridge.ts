/**
 * Publishing events out to EventBridge (PutEvents, source EVENT_SOURCE). Only the event publisher (the table's
 * stream consumer) imports this module: the other functions keep the EventBridge client out of their bundles.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type OutEvent } from '../model/events/types.ts';

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_BATCH = 10;
const PUT_EVENTS_TRIES = 3;

export interface PutEventsSender {
  send(
    command: PutEventsCommand,
  ): Promise<{ FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] }>;
}

let eventBridge: EventBridgeClient | undefined;
/** One client per process, created on first use. */
export const defaultEventBridgeClient = (): EventBridgeClient => {
  eventBridge ??= new EventBridgeClient({});
  return eventBridge;
};

/** An event PutEvents did not accept after every try, and why. */
export interface UnpublishedEvent {
  event: OutEvent;
  reason: string;
}

/**
 * PutEvents in calls of PUT_EVENTS_BATCH entries, the failed entries of a call tried again (PUT_EVENTS_TRIES
 * in all, with backoff); returns those never accepted. Never throws.
 */
export const putEvents = async (
  sender: PutEventsSender,
  eventBusName: string,
  events: readonly OutEvent[],
): Promise<UnpublishedEvent[]> => {
  const unpublished: UnpublishedEvent[] = [];
  for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH) {
    let batch = events.slice(start, start + PUT_EVENTS_BATCH);
    for (let attempt = 1; batch.length > 0; attempt++) {
      const entries: PutEventsRequestEntry[] = batch.map((event) => ({
        EventBusName: eventBusName,
        Source: EVENT_SOURCE,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        Time: new Date(event.detail.occurredAt),
      }));
      let failed: OutEvent[];
      let reason = 'no entry result';
      try {
        const result = await sender.send(new PutEventsCommand({ Entries: entries }));
        failed = batch.filter(
          (_, i) => result.Entries?.[i]?.ErrorCode !== undefined || result.Entries?.[i] === undefined,
        );
        if (failed.length > 0) reason = result.Entries?.find((e) => e.ErrorCode)?.ErrorCode ?? reason;
      } catch (error) {
        failed = batch;
        reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (failed.length === 0) break;
      if (attempt >= PUT_EVENTS_TRIES) {
        unpublished.push(...failed.map((event) => ({ event, reason })));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      batch = failed;
    }
  }
  return unpublished;
};
