/** What the refund routes need, injected so tests and the local server can give their own. */

import type { LedgerDeps, MercadoPagoDeps } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import type { RefundWindow } from '../shared/config.ts';

export interface RefundDeps extends LedgerDeps, MercadoPagoDeps, KeyedRequestDeps {
  refundWindow: RefundWindow;
}
