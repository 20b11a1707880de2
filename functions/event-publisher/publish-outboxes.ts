/**
 * The table's stream consumer: each write that made events out stored them in its item (`outbox`: ledgers,
 * adapters/dynamodb/ledger-store.ts, and QR order records); they are sent on here, so they are published at
 * least once even when the writer died right after its write, with the eventId consumers dedupe on. In AWS
 * the stream delivers the records; locally the forwarder in front of the embedded DynamoDB does
 * (local/stream-tap.ts). A record whose events were
 * not all accepted is reported in `batchItemFailures` (its SequenceNumber): Lambda retries from it (later
 * records again too: duplicates, same eventIds), and once the retries are spent sends the batch's description
 * to the failure queue.
 */

import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxFromItem } from '../adapters/dynamodb/ledger-store.ts';
import { TableKeys } from '../adapters/dynamodb/table.ts';
import type { UnpublishedEvent } from '../adapters/eventbridge.ts';
import { envelopeOf, type OutEvent } from '../model/events/types.ts';
import { must } from '../model/invariant.ts';
import type { Logger } from '../observability/logger.ts';

/** Sends events to the bus, returning those it did not accept (`putEvents` of adapters/eventbridge.ts). */
export type SendEvents = (events: readonly OutEvent[]) => Promise<UnpublishedEvent[]>;

/** The events a record's write stored; null when they cannot be read (the record fails, for a person). */
const outboxOf = (record: DynamoDBRecord, log: Logger): OutEvent[] | null => {
  const image = record.dynamodb?.NewImage;
  // Deletions carry no new image; writes that made no event store no outbox (the event source filters too).
  if (!image?.outbox) return [];
  try {
    return outboxFromItem(image);
  } catch (error) {
    log.error('ledger outbox not readable: its record is left to the failure queue', {
      error,
      sequenceNumber: record.dynamodb?.SequenceNumber,
      key: image[TableKeys.partitionKey]?.S,
    });
    return null;
  }
};

export const publishOutboxes = async (
  send: SendEvents,
  event: DynamoDBStreamEvent,
  log: Logger,
): Promise<DynamoDBBatchResponse> => {
  const failed = new Set<DynamoDBRecord>();
  const recordOf = new Map<OutEvent, DynamoDBRecord>();
  for (const record of event.Records) {
    const outbox = outboxOf(record, log);
    if (outbox === null) failed.add(record);
    for (const out of outbox ?? []) recordOf.set(out, record);
  }
  const events = [...recordOf.keys()];
  const unpublished = events.length > 0 ? await send(events) : [];
  for (const { event: out, reason } of unpublished) {
    const record = must(recordOf.get(out), 'an unpublished event is one of the batch');
    failed.add(record);
    log.warn('event not published yet: its stream record will be retried', {
      reason,
      sequenceNumber: record.dynamodb?.SequenceNumber,
      event: envelopeOf(out),
    });
  }
  const batchItemFailures = event.Records.filter((record) => failed.has(record)).map((record) => {
    const itemIdentifier = record.dynamodb?.SequenceNumber;
    // Without it the failure cannot be reported for the record alone: the whole batch is retried.
    if (!itemIdentifier) throw new Error(`stream record ${record.eventID} has no SequenceNumber`);
    return { itemIdentifier };
  });
  if (events.length > 0 || failed.size > 0) {
    log.info('ledger outboxes published', {
      records: event.Records.length,
      events: events.length,
      unpublished: unpublished.length,
      failedRecords: batchItemFailures.length,
    });
  }
  return { batchItemFailures };
};
