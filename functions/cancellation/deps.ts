/** What the cancellation route needs, injected so tests and the local server can give their own. */
import type { LedgerDeps, MercadoPagoDeps } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';

export interface CancellationDeps extends LedgerDeps, MercadoPagoDeps, KeyedRequestDeps {}
