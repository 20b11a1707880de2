/**
 * `npm run reconcile`: one run of the reconciliation job (what the schedule runs in AWS), against
 * DYNAMODB_ENDPOINT (e.g. the embedded DynamoDB that `npm start` printed) or the data of DATA_DIR (when no
 * server holds it open), and the configured Mercado Pago (MP_API_BASE_URL / MP_ACCESS_TOKEN: `npm start`'s
 * sandbox URL and `TEST-sandbox-token` for the embedded one). Prints the run's report; exits 1 when a
 * payment could not be reconciled. The events of what it settles are published by whoever serves that
 * DynamoDB: the running `npm start` (DYNAMODB_ENDPOINT), or this script itself (DATA_DIR, to EVENTS_FILE).
 */

import { createLedgerQueries } from '../functions/adapters/dynamodb/ledger-store.ts';
import { isoAt } from '../functions/model/clock.ts';
import { rootLogger } from '../functions/observability/logger.ts';
import { loadReconcileConfig, type ReconcileConfig } from '../functions/reconcile/config.ts';
import { reconcileDeps } from '../functions/reconcile/deps.ts';
import { runReconcile } from '../functions/reconcile/run.ts';
import { createRuntime } from '../functions/runtime/runtime.ts';
import { loadOrFail, openLocalData, requireTable } from './script-setup.ts';

const env = process.env;

/** How long one local run may take at most. */
const RUN_BUDGET_MS = 4 * 60_000;

const db = await openLocalData(env, 'npm run reconcile');

const config: ReconcileConfig = loadOrFail(() => loadReconcileConfig(env));

const runtime = createRuntime(config.storage);
await requireTable(runtime.dynamo, config.storage.tableName, env.DYNAMODB_ENDPOINT, db);

/**
 * A run right after a 202 checks nothing: new pending work is first due RECONCILE_PENDING_AFTER_SECONDS after
 * it appeared, by the setting of the process that wrote it (`npm start`'s). Says so, and when it is due.
 */
const whyNothingWasDue = async (rt: typeof runtime): Promise<string> => {
  const queries = createLedgerQueries(rt.dynamo, config.storage.tableName);
  const ids = new Set<string>();
  // Ledgers whose new refunds the due index does not show yet (left to the sweep) included.
  for await (const id of queries.openLedgerIds(isoAt(rt.clock.now()))) ids.add(id);
  const waiting = (await queries.getMany([...ids])).filter((ledger) => ledger.schedule !== undefined);
  if (waiting.length === 0) return 'Nothing was due: no payment holds pending work.';
  const first = waiting.reduce((a, b) =>
    (a.schedule?.nextCheckAt ?? '') <= (b.schedule?.nextCheckAt ?? '') ? a : b,
  );
  const at = first.schedule?.nextCheckAt ?? '';
  const inSeconds = Math.max(0, Math.ceil((Date.parse(at) - rt.clock.now()) / 1000));
  return (
    `Nothing was due yet: ${waiting.length} payment(s) hold pending work, first checked ` +
    'RECONCILE_PENDING_AFTER_SECONDS after it appeared (the setting of the server that wrote it; default 120 s), ' +
    `then with backoff. The next is ${first.id}, due at ${at} (in ${inSeconds} s): run again then, start the ` +
    `server with a smaller RECONCILE_PENDING_AFTER_SECONDS, or check it now with \`npm run ops -- recheck ${first.id}\`.`
  );
};

let exitCode = 0;
try {
  const report = await runReconcile(reconcileDeps(config, runtime), {
    log: rootLogger.child({ job: 'reconcile' }),
    deadline: runtime.clock.now() + RUN_BUDGET_MS,
  });
  process.stdout.write(`${JSON.stringify({ reconcile: report })}\n`);
  if (report.seen === 0) process.stdout.write(`${await whyNothingWasDue(runtime)}\n`);
  if (report.failed > 0) exitCode = 1;
} catch (error) {
  process.stderr.write(`reconcile failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 1;
} finally {
  runtime.dynamo.destroy();
  await db?.idle();
  await db?.close();
}
process.exit(exitCode);
