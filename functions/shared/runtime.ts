/**
 * What every function builds once per process (cold start) from its configuration: the Mercado Pago client,
 * the stores, the clock. Handlers stay thin: they take their dependencies from here.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Clock, systemClock } from './clock.ts';
import type { AppConfig } from './config.ts';
import {
  type LedgerEventsHandler,
  ledgerEventsHandler,
  withoutLedgerEvents,
} from './events/ledger-events.ts';
import { createEventPublisher, type EventPublisher } from './events/publisher.ts';
import { newId } from './ids.ts';
import { createMercadoPagoClient } from './mercadopago/client.ts';
import type { MercadoPagoClient } from './mercadopago/types.ts';
import { createSecretResolver } from './secrets.ts';
import { dynamoDbClient } from './storage/dynamodb.ts';
import { createIdempotencyStore, type IdempotencyStore } from './storage/idempotency-store.ts';
import { createLedgerStore, type LedgerStore } from './storage/ledger-store.ts';

export interface Runtime {
  config: AppConfig;
  dynamo: DynamoDBClient;
  mercadoPago: MercadoPagoClient;
  ledgers: LedgerStore;
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: (prefix: string) => string;
  /**
   * Events out (EventBridge, or local lines); `onLedgerEvents` is what the API routes' deps take. With
   * EVENTS_VIA_STREAM neither publishes ledger events: the table's stream does, from each write's outbox.
   */
  events: EventPublisher;
  onLedgerEvents: LedgerEventsHandler;
}

const publishedByStream: LedgerEventsHandler = async () => undefined;

export const createRuntime = (config: AppConfig, overrides: Partial<Runtime> = {}): Runtime => {
  const dynamo = overrides.dynamo ?? dynamoDbClient(config.dynamodbEndpoint);
  const ledgers = overrides.ledgers ?? createLedgerStore(dynamo, config.tableName);
  const clock = overrides.clock ?? systemClock;
  const inline = overrides.events ?? createEventPublisher(config.eventBusName);
  const events = config.eventsViaStream ? withoutLedgerEvents(inline) : inline;
  return {
    config,
    dynamo,
    mercadoPago:
      overrides.mercadoPago ??
      createMercadoPagoClient({
        baseUrl: config.mercadoPago.baseUrl,
        accessToken: createSecretResolver(config.mercadoPago.accessToken),
      }),
    ledgers,
    idempotency: overrides.idempotency ?? createIdempotencyStore(dynamo, config.tableName),
    clock,
    newId: overrides.newId ?? ((prefix) => newId(prefix)),
    events,
    onLedgerEvents:
      overrides.onLedgerEvents ??
      (config.eventsViaStream
        ? publishedByStream
        : ledgerEventsHandler({ publisher: events, ledgers, clock })),
  };
};
