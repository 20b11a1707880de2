/** What the cancellation route needs, injected so tests and the local server can give their own. */
import type { LedgerDeps, MercadoPagoDeps } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import { createRuntime, keyedRouteDepsOf, type Runtime } from '../runtime/runtime.ts';
import type { CancellationConfig } from './config.ts';

export interface CancellationDeps extends LedgerDeps, MercadoPagoDeps, KeyedRequestDeps {}

export const cancellationDeps = (
  config: CancellationConfig,
  runtime: Runtime = createRuntime(config.storage),
): CancellationDeps => ({
  ...keyedRouteDepsOf(runtime, config),
});
