/**
 * Publishing events out: to EventBridge when EVENT_BUS_NAME is set (eventbridge-publisher.ts), else as
 * one JSON line per event on stdout and, outside Lambda, appended to EVENTS_FILE (default
 * .events/events.jsonl). Publishing never throws: the change it reports is already stored, so a failure is
 * logged with the whole event (for a person to replay) and the caller carries on.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../config.ts';
import type { Logger } from '../logger.ts';
import { envelopeOf, type OutEvent } from './types.ts';

export interface EventPublisher {
  publish(events: readonly OutEvent[], log: Logger): Promise<void>;
}

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

/**
 * EventBridge when a bus is configured (the caller passes the EventBridge publisher: only the functions that
 * publish to the bus bundle it); else local lines (with the file only outside Lambda, unless EVENTS_FILE says).
 */
export const createEventPublisher = (
  eventBusName: string | undefined,
  env: Record<string, string | undefined> = process.env,
  eventBridge?: (eventBusName: string) => EventPublisher,
): EventPublisher => {
  if (eventBusName !== undefined) {
    if (!eventBridge)
      throw new ConfigError('EVENT_BUS_NAME', 'is set, but this function does not publish to EventBridge');
    return eventBridge(eventBusName);
  }
  const inLambda = env.AWS_LAMBDA_FUNCTION_NAME !== undefined;
  const file = env.EVENTS_FILE?.trim() || (inLambda ? undefined : DEFAULT_EVENTS_FILE);
  return createLocalPublisher({ file });
};
