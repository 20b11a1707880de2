/**
 * `npm run reports -- --date YYYY-MM-DD`: the reports job for that day, at once (finished or not; a day
 * already completed is reconciled again from its stored file, which changes nothing the first run did),
 * against the same DynamoDB and Mercado Pago as `npm run reconcile`: DYNAMODB_ENDPOINT (the one `npm start`
 * printed) or DATA_DIR, and MP_API_BASE_URL / MP_ACCESS_TOKEN. Files and results go to REPORTS_DIR (default
 * `.reports`). Prints the day's reconciliation as GET /reports/reconciliations/{date} shows it; exits 1 when
 * the day failed or could not be run. Without `--date`: one run of the hourly job (the last 7 finished days).
 */

import { parseArgs } from 'node:util';
import { createReconciliationStore } from '../functions/adapters/dynamodb/reconciliation-store.ts';
import { isDay } from '../functions/model/reports/days.ts';
import { rootLogger } from '../functions/observability/logger.ts';
import {
  MAX_LISTED_DISCREPANCIES,
  reconciliationView,
  runReports,
} from '../functions/operations/reports/run-reports.ts';
import { loadReportsJobConfig, type ReportsJobConfig } from '../functions/reports-job/config.ts';
import { reportsJobDeps } from '../functions/reports-job/deps.ts';
import { createRuntime } from '../functions/runtime/runtime.ts';
import { fail, loadOrFail, openLocalData, requireTable } from './script-setup.ts';

const env = process.env;

/** How long one local run may take, and wait for the file it requested. */
const RUN_BUDGET_MS = 10 * 60_000;
const WAIT_FOR_FILE_MS = 5 * 60_000;

let date: string | undefined;
try {
  const { values } = parseArgs({ options: { date: { type: 'string' } }, strict: true });
  date = values.date;
} catch (error) {
  fail(`npm run reports -- --date YYYY-MM-DD: ${(error as Error).message}`);
}
if (date !== undefined && !isDay(date)) fail(`--date must be a date YYYY-MM-DD, got "${date}"`);

const db = await openLocalData(env, 'npm run reports');

const config: ReportsJobConfig = loadOrFail(() => loadReportsJobConfig(env));

const runtime = createRuntime(config.storage);
await requireTable(runtime.dynamo, config.storage.tableName, env.DYNAMODB_ENDPOINT, db);

let exitCode = 0;
try {
  const deps = reportsJobDeps(config, runtime);
  const report = await runReports(deps, {
    log: rootLogger.child({ job: 'reports' }),
    deadline: runtime.clock.now() + RUN_BUDGET_MS,
    days: date === undefined ? undefined : [date],
    waitForFileMs: WAIT_FOR_FILE_MS,
  });
  if (date === undefined) {
    process.stdout.write(`${JSON.stringify({ reports: report })}\n`);
    if (report.days.some((d) => d.status === 'failed')) exitCode = 1;
  } else {
    const store = createReconciliationStore(runtime.dynamo, config.storage.tableName);
    const day = await store.getDay(date);
    if (day === undefined) {
      process.stderr.write(`${date}: not run\n`);
      exitCode = 1;
    } else {
      const { items, more } = await store.discrepancies(date, MAX_LISTED_DISCREPANCIES);
      process.stdout.write(`${JSON.stringify(reconciliationView(day, items, more), null, 2)}\n`);
      if (day.status !== 'completed') exitCode = 1;
    }
  }
} catch (error) {
  process.stderr.write(`reports failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 1;
} finally {
  runtime.dynamo.destroy();
  await db?.idle();
  await db?.close();
}
process.exit(exitCode);
