/**
 * What every function builds once per process (cold start) from its configuration: the Mercado Pago client,
 * the stores, the clock. Handlers stay thin: they take their dependencies from here.
 */
import { type Clock, systemClock } from './clock.ts';
import type { AppConfig } from './config.ts';
import { newId } from './ids.ts';
import { createMercadoPagoClient } from './mercadopago/client.ts';
import type { MercadoPagoClient } from './mercadopago/types.ts';
import { createSecretResolver } from './secrets.ts';
import { dynamoDbClient } from './storage/dynamodb.ts';
import { createIdempotencyStore, type IdempotencyStore } from './storage/idempotency-store.ts';
import { createLedgerStore, type LedgerStore } from './storage/ledger-store.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface Runtime {
  config: AppConfig;
  dynamo: DynamoDBClient;
  mercadoPago: MercadoPagoClient;
  ledgers: LedgerStore;
  idempotency: IdempotencyStore;
  clock: Clock;
  newId: (prefix: string) => string;
}

export const createRuntime = (config: AppConfig, overrides: Partial<Runtime> = {}): Runtime => {
  const dynamo = overrides.dynamo ?? dynamoDbClient(config.dynamodbEndpoint);
  return {
    config,
    dynamo,
    mercadoPago:
      overrides.mercadoPago ??
      createMercadoPagoClient({
        baseUrl: config.mercadoPago.baseUrl,
        accessToken: createSecretResolver(config.mercadoPago.accessToken),
      }),
    ledgers: overrides.ledgers ?? createLedgerStore(dynamo, config.tableName),
    idempotency: overrides.idempotency ?? createIdempotencyStore(dynamo, config.tableName),
    clock: overrides.clock ?? systemClock,
    newId: overrides.newId ?? ((prefix) => newId(prefix)),
  };
};
