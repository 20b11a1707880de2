/**
 * What every function builds once per process (cold start) from its configuration: the Mercado Pago client,
 * the stores, the clock, the settlement windows. Handlers stay thin: they take their dependencies from here.
 * No function publishes events itself: each write stores its events (outbox) and the table's stream
 * publishes them (locally, the forwarder in front of the embedded DynamoDB).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from './adapters/dynamodb/client.ts';
import { createIdempotencyStore, type IdempotencyStore } from './adapters/dynamodb/idempotency-store.ts';
import { createLedgerStore, type LedgerStore } from './adapters/dynamodb/ledger-store.ts';
import { createMercadoPagoClient } from './adapters/mercadopago/client.ts';
import { createSecretResolver } from './adapters/secrets.ts';
import type { AppConfig } from './config/config.ts';
import { type Clock, systemClock } from './model/clock.ts';
import { newId } from './model/ids.ts';
import type { SettlementSettings } from './model/settings.ts';
import type { MercadoPagoClient } from './ports/mercadopago.ts';

export interface Runtime {
  config: AppConfig;
  dynamo: DynamoDBClient;
  mercadoPago: MercadoPagoClient;
  ledgers: LedgerStore;
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: (prefix: string) => string;
  settings: SettlementSettings;
}

export const createRuntime = (config: AppConfig, overrides: Partial<Runtime> = {}): Runtime => {
  const dynamo = overrides.dynamo ?? dynamoDbClient(config.dynamodbEndpoint);
  const clock = overrides.clock ?? systemClock;
  return {
    config,
    dynamo,
    mercadoPago:
      overrides.mercadoPago ??
      createMercadoPagoClient({
        baseUrl: config.mercadoPago.baseUrl,
        accessToken: createSecretResolver(config.mercadoPago.accessToken),
        clock,
      }),
    ledgers: overrides.ledgers ?? createLedgerStore(dynamo, config.tableName),
    idempotency: overrides.idempotency ?? createIdempotencyStore(dynamo, config.tableName),
    clock,
    newId: overrides.newId ?? ((prefix) => newId(prefix)),
    settings: overrides.settings ?? config.settlement,
  };
};
