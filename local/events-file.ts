/**
 * Where events out go locally: one JSON line per event (the envelope EventBridge delivers) appended to
 * EVENTS_FILE (default `.events/events.jsonl`), and a line on the console. Appends are chained so lines land
 * whole and in order. A failed append throws: the forwarder delivers the record again.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { publishOutboxes, type SendEvents } from '../functions/event-publisher/publish-outboxes.ts';
import { envelopeOf, type OutEvent } from '../functions/model/events/types.ts';
import type { Logger } from '../functions/observability/logger.ts';
import type { RecordConsumer } from './stream-tap.ts';

export const DEFAULT_EVENTS_FILE = '.events/events.jsonl';

export interface EventsFileOptions {
  /** Where lines are appended; undefined = no file. */
  file: string | undefined;
  /** Also told each event (the console, or a test's list). */
  onEvent?: (event: OutEvent) => void;
}

export const eventsFileSender = (options: EventsFileOptions): SendEvents => {
  let ready: Promise<unknown> | undefined;
  let queue: Promise<void> = Promise.resolve();
  return async (events) => {
    if (events.length === 0) return [];
    const { file } = options;
    if (file !== undefined) {
      ready ??= mkdir(dirname(file), { recursive: true });
      const lines = events.map((event) => JSON.stringify(envelopeOf(event)));
      const write = queue.then(async () => {
        await ready;
        await appendFile(file, `${lines.join('\n')}\n`, 'utf8');
      });
      queue = write.catch(() => undefined);
      try {
        await write;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return events.map((event) => ({ event, reason }));
      }
    }
    for (const event of events) options.onEvent?.(event);
    return [];
  };
};

/** The event publisher's own code as the consumer of the local stream tap. */
export const outboxConsumer =
  (send: SendEvents, log: Logger): RecordConsumer =>
  async (records: DynamoDBRecord[]) => {
    const { batchItemFailures } = await publishOutboxes(send, { Records: records }, log);
    const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
    return records.filter((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
  };
