/** The reconciliation job run in the test process against a cluster's DynamoDB and Mercado Pago, its clock moved. */

import { createMercadoPagoClient } from '../../functions/adapters/mercadopago/client.ts';
import { newId } from '../../functions/model/ids.ts';
import { DEFAULT_SETTLEMENT_SETTINGS } from '../../functions/model/settings.ts';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { quietLogger } from '../support/harness.ts';
import { CLUSTER_TOKEN, type Cluster } from './cluster.ts';

export const reconcileAt = (cluster: Cluster, offsetMs: number) => {
  const clock = { now: () => Date.now() + offsetMs };
  return runReconcile(
    {
      mercadoPago: createMercadoPagoClient({
        baseUrl: cluster.mercadoPago.url,
        accessToken: async () => CLUSTER_TOKEN,
        retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
      }),
      ledgers: cluster.ledgers,
      refundSweep: cluster.refundSweep,
      clock,
      newId,
      settings: DEFAULT_SETTLEMENT_SETTINGS,
      userId: cluster.sandbox.userId,
      siteId: 'MLB',
      attentionAfterMs: 86_400_000,
    },
    { log: quietLogger, deadline: clock.now() + 20_000 },
  );
};
