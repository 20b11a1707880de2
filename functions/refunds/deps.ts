/** What the refund routes need, injected so tests and the local server can give their own. */

import type { RefundWindow } from '../config/config.ts';
import type { LedgerDeps, MercadoPagoDeps } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';

export interface RefundDeps extends LedgerDeps, MercadoPagoDeps, KeyedRequestDeps {
  refundWindow: RefundWindow;
}
