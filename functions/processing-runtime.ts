/** The processing deps of a function, from its runtime (cold start). */

import { createQrOrderStore } from './adapters/dynamodb/qr-order-store.ts';
import type { ProcessingDeps } from './operations/processing-deps.ts';
import type { Runtime } from './runtime.ts';

export const processingDeps = (runtime: Runtime): ProcessingDeps => ({
  mercadoPago: runtime.mercadoPago,
  ledgers: runtime.ledgers,
  qrOrders: createQrOrderStore(runtime.dynamo, runtime.config.tableName),
  clock: runtime.clock,
  newId: runtime.newId,
  settings: runtime.settings,
  userId: runtime.config.mercadoPago.userId,
});
