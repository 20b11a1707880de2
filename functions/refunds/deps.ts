/** What the refund routes need, injected so tests and the local server can give their own. */

import type { RefundWindow } from '../config/fields.ts';
import type { LedgerDeps, MercadoPagoDeps } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import { createRuntime, keyedRouteDepsOf, type Runtime } from '../runtime/runtime.ts';
import type { RefundsConfig } from './config.ts';

export interface RefundDeps extends LedgerDeps, MercadoPagoDeps, KeyedRequestDeps {
  refundWindow: RefundWindow;
}

export const refundDeps = (
  config: RefundsConfig,
  runtime: Runtime = createRuntime(config.storage),
): RefundDeps => ({
  ...keyedRouteDepsOf(runtime, config),
  refundWindow: config.refundWindow,
});
