/**
 * The embedded DynamoDB as the local tools use it: dynalite (in memory, or in DATA_DIR) behind the stream
 * tap, whose consumer is the event publisher's own code writing to EVENTS_FILE. Every write made through
 * `endpoint` has its events published, at least once, as the table's stream does in AWS.
 */
import type { OutEvent } from '../functions/model/events/types.ts';
import type { Logger } from '../functions/observability/logger.ts';
import { startEmbeddedDynamoDb } from './dynamodb.ts';
import { eventsFileSender, outboxConsumer } from './events-file.ts';
import { startStreamTap } from './stream-tap.ts';

export interface LocalDynamoDb {
  /** Where clients connect: every write through it is published. */
  endpoint: string;
  /** Resolves once every published write's events are out. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const startLocalDynamoDb = async (options: {
  dataDir?: string | undefined;
  eventsFile: string | undefined;
  onEvent?: (event: OutEvent) => void;
  log: Logger;
}): Promise<LocalDynamoDb> => {
  const db = await startEmbeddedDynamoDb(options.dataDir !== undefined ? { dataDir: options.dataDir } : {});
  const send = eventsFileSender({
    file: options.eventsFile,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const tap = await startStreamTap({
    target: db.endpoint,
    consume: outboxConsumer(send, options.log),
    log: options.log,
  });
  return {
    endpoint: tap.endpoint,
    idle: () => tap.idle(),
    close: async () => {
      await tap.close();
      await db.close();
    },
  };
};
