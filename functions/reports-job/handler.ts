/** The reports Lambda, run hourly (EventBridge rule): reconciles the ledger with Mercado Pago's settlement reports. */
import type { Context } from 'aws-lambda';
import { TIMING } from '../config/timing.ts';
import { type ReportsRunReport, runReports } from '../operations/reports/run-reports.ts';
import { invocationOf } from '../runtime/invocation.ts';
import { loadReportsJobConfig } from './config.ts';
import { reportsJobDeps } from './deps.ts';

const deps = reportsJobDeps(loadReportsJobConfig());
export const handler = async (_event: unknown, context: Context): Promise<ReportsRunReport> =>
  runReports(deps, {
    ...invocationOf(context, deps.clock, TIMING.reportsMarginMs, { job: 'reports' }),
    waitForFileMs: TIMING.reportsWaitForFileMs,
  });
