/** What the order routes need, injected so tests and the local server can give their own. */

import type { RefundWindow } from '../config/fields.ts';
import type { LedgerDeps, MercadoPagoDeps, OrderDefaults } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import { createRuntime, keyedRouteDepsOf, type Runtime } from '../runtime/runtime.ts';
import type { OrdersConfig } from './config.ts';

export interface OrderDeps extends LedgerDeps, MercadoPagoDeps, KeyedRequestDeps, OrderDefaults {
  refundWindow: RefundWindow;
}

export const orderDeps = (
  config: OrdersConfig,
  runtime: Runtime = createRuntime(config.storage),
): OrderDeps => ({
  ...keyedRouteDepsOf(runtime, config),
  refundWindow: config.refundWindow,
  siteId: config.siteId,
});
