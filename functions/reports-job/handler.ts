/**
 * The reports Lambda: reconciles the ledger with Mercado Pago's settlement reports. Run hourly (EventBridge
 * rule) and woken by report-ready notices (a message on its SQS queue, sent by the webhook, batches of one):
 * either event starts the same run, which lists the reports with its own token.
 */
import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { TIMING } from '../config/timing.ts';
import { type ReportsRunReport, runReports } from '../operations/reports/run-reports.ts';
import { invocationOf } from '../runtime/invocation.ts';
import { loadReportsJobConfig } from './config.ts';
import { reportsJobDeps } from './deps.ts';

/** What started the run: the schedule, or a report-ready notice through the wake queue. */
const triggerOf = (event: unknown): 'wake' | 'schedule' =>
  typeof event === 'object' && event !== null && Array.isArray((event as Partial<SQSEvent>).Records)
    ? 'wake'
    : 'schedule';

const deps = reportsJobDeps(loadReportsJobConfig());
export const handler = async (
  event: ScheduledEvent | SQSEvent,
  context: Context,
): Promise<ReportsRunReport> =>
  runReports(deps, {
    ...invocationOf(context, deps.clock, TIMING.reportsMarginMs, {
      job: 'reports',
      trigger: triggerOf(event),
    }),
    waitForFileMs: TIMING.reportsWaitForFileMs,
  });
