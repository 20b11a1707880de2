/** What the operations routes need, injected so tests and the local server can give their own. */
import { createLedgerQueries } from '../adapters/dynamodb/ledger-store.ts';
import type { CheckDeps } from '../operations/check-ledger.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import type { LedgerQueries } from '../ports/ledger-store.ts';
import type { ReconciliationStore } from '../ports/reconciliation-store.ts';
import { createRuntime, keyedRouteDepsOf, type Runtime, reportStoresOf } from '../runtime/runtime.ts';
import type { OpsConfig } from './config.ts';
import { type DeadLetters, sqsDeadLetters } from './dead-letters.ts';
import { orderReader, paymentReader, type SubjectReader } from './subjects.ts';

export interface OpsDeps extends CheckDeps, KeyedRequestDeps {
  queries: LedgerQueries;
  payments: SubjectReader;
  /** Orders API reads (undefined: a test that gives none). */
  orders: SubjectReader | undefined;
  /** AWS: the notifications' dead-letter queue; none locally. */
  deadLetters: DeadLetters | undefined;
  /** Each day's reconciliation with the settlement report: failed days and discrepancies are listed. */
  reconciliations: Pick<ReconciliationStore, 'getDay'>;
}

export const opsDeps = (config: OpsConfig, runtime: Runtime = createRuntime(config.storage)): OpsDeps => {
  const keyed = keyedRouteDepsOf(runtime, config);
  const { mercadoPago } = keyed;
  return {
    ...keyed,
    siteId: config.siteId,
    attentionAfterMs: config.attentionAfterSeconds * 1000,
    queries: createLedgerQueries(runtime.dynamo, runtime.tableName),
    payments: paymentReader({ mercadoPago, clock: runtime.clock }),
    orders: orderReader({ mercadoPago, clock: runtime.clock, siteId: config.siteId }),
    reconciliations: reportStoresOf(runtime).reconciliations,
    deadLetters:
      config.deadLetterQueueUrl === undefined ? undefined : sqsDeadLetters(config.deadLetterQueueUrl),
  };
};
