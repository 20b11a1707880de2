/**
 * Publishing events out: to EventBridge (PutEvents, source EVENT_SOURCE) when EVENT_BUS_NAME is set, else as
 * one JSON line per event on stdout and, outside Lambda, appended to EVENTS_FILE (default
 * .events/events.jsonl). Publishing never throws: the change it reports is already stored, so a failure is
 * logged with the whole event (for a person to replay) and the caller carries on.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Logger } from '../logger.ts';
import { EVENT_SOURCE, envelopeOf, type OutEvent } from './types.ts';

export interface EventPublisher {
  publish(events: readonly OutEvent[], log: Logger): Promise<void>;
}

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

export const createEventBridgePublisher = (
  eventBusName: string,
  client?: PutEventsSender,
): EventPublisher => ({
  async publish(events, log) {
    const unpublished = await putEvents(client ?? defaultEventBridgeClient(), eventBusName, events);
    for (const { event, reason } of unpublished) {
      log.error('event not published', { reason, event: envelopeOf(event) });
    }
  },
});

export const DEFAULT_EVENTS_FILE = '.events/events.jsonl';

export interface LocalPublisherOptions {
  /** Where lines are appended; undefined = no file. */
  file: string | undefined;
  /** Default: stdout. */
  sink?: (line: string) => void;
}

export const createLocalPublisher = (options: LocalPublisherOptions): EventPublisher => {
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  let ready: Promise<unknown> | undefined;
  // Appends are chained so lines land whole and in order, even from concurrent publishers of one process.
  let queue: Promise<void> = Promise.resolve();
  return {
    async publish(events, log) {
      if (events.length === 0) return;
      const lines = events.map((event) => JSON.stringify(envelopeOf(event)));
      for (const line of lines) sink(line);
      const file = options.file;
      if (file === undefined) return;
      ready ??= mkdir(dirname(file), { recursive: true });
      const write = queue.then(async () => {
        await ready;
        await appendFile(file, `${lines.join('\n')}\n`, 'utf8');
      });
      queue = write.catch(() => undefined);
      try {
        await write;
      } catch (error) {
        log.error('event not written to the events file', { error, file });
      }
    },
  };
};

/** EventBridge when a bus is configured; else local lines (with the file only outside Lambda, unless EVENTS_FILE says). */
export const createEventPublisher = (
  eventBusName: string | undefined,
  env: Record<string, string | undefined> = process.env,
): EventPublisher => {
  if (eventBusName !== undefined) return createEventBridgePublisher(eventBusName);
  const inLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  const file = env.EVENTS_FILE?.trim() || (inLambda ? undefined : DEFAULT_EVENTS_FILE);
  return createLocalPublisher({ file });
};
