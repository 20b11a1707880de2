/**
 * The reports entry points as Lambda loads them: the hourly job (functions/reports-job/handler.ts) started by
 * the schedule's EventBridge event or woken by the wake queue's SQS event (a report-ready notice), and the routes (functions/reports/handler.ts) called with API Gateway's
 * captured events, through the real wiring (environment -> runtime -> run/routes) against the sandbox and
 * dynalite, report files going to REPORTS_DIR.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayOf } from '../../functions/model/reports/days.ts';
import type { ReportsRunReport } from '../../functions/operations/reports/run-reports.ts';
import { callHttp, httpApiEvent, scheduledEvent, sqsEvent, sqsRecord } from '../support/aws-events.ts';
import { coldStartRig } from '../support/cold-start.ts';
import { lambdaContext } from '../support/events.ts';
import type { Harness } from '../support/harness.ts';

type ReportsJob = (event: ScheduledEvent | SQSEvent, context: Context) => Promise<ReportsRunReport>;

/** The job's Lambda timeout (config/timing.ts), as its context says. */
const REPORTS_JOB_TIMEOUT_MS = 900_000;

const job = coldStartRig(() => import('../../functions/reports-job/handler.ts'));
const routes = coldStartRig(() => import('../../functions/reports/handler.ts'));
let h: Harness;
let reportsDir: string;
let env: Record<string, string>;

beforeAll(() => {
  h = job.harness();
  reportsDir = mkdtempSync(join(tmpdir(), 'reports-entry-'));
  h.sandbox.configure({ notificationsEnabled: false, reportDelayMs: 0 });
  env = { ...job.baseEnv(), REPORTS_DIR: reportsDir };
});

describe('reports-job handler', () => {
  it.each([
    ['REPORT_GRACE_DAYS', 'three'],
    ['REPORT_WAIT_HOURS', '0'],
    ['REPORTS_MANAGE_CONFIG', 'yes'],
    ['CHARGEBACK_WARNING_DAYS', '-1'],
    ['REPORTS_BUCKET', 'Not_A_Bucket'],
    ['MP_ACCESS_TOKEN', ''],
  ])('cold start fails when %s is %j, naming the variable', async (variable, value) => {
    job.withEnv({ ...env, [variable]: value });
    await expect(job.load()).rejects.toMatchObject({ name: 'ConfigError', variable });
  });

  it('a scheduled run creates the configuration, reconciles the last 7 finished days and keeps their files', async () => {
    job.withEnv(env);
    const run = (await job.load()) as unknown as ReportsJob;
    const report = await run(scheduledEvent('reports-schedule'), lambdaContext(REPORTS_JOB_TIMEOUT_MS));
    const today = dayOf(Date.now());
    expect(report.days.map((d) => [d.date, d.status])).toEqual(
      Array.from({ length: 7 }, (_, i) => [addDays(today, i - 7), 'completed']),
    );
    expect(h.sandbox.requests({ method: 'POST', path: /config$/ })).toEqual([
      expect.objectContaining({ tokenValid: true }),
    ]);
    expect(readdirSync(join(reportsDir, 'files'))).toHaveLength(7);
    expect(existsSync(join(reportsDir, 'results', `${addDays(today, -1)}.json`))).toBe(true);
    expect(h.events().filter((e) => e['detail-type'] === 'Reconciliation Completed')).toHaveLength(7);

    // The next hour: every day is done, nothing is requested again.
    h.sandbox.clearRequests();
    const next = await run(scheduledEvent('reports-schedule'), lambdaContext(REPORTS_JOB_TIMEOUT_MS));
    expect(next.days.every((d) => d.status === 'completed')).toBe(true);
    expect(h.sandbox.requests({ method: 'POST' })).toEqual([]);
  });

  it('a wake (the SQS event of its queue, one message) runs the same run: it lists the reports', async () => {
    job.withEnv(env);
    const run = (await job.load()) as unknown as ReportsJob;
    h.sandbox.clearRequests();
    const wake = sqsEvent(
      sqsRecord(JSON.stringify({ wake: 'reports', receivedAt: new Date().toISOString() })),
    );
    const report = await run(wake, lambdaContext(REPORTS_JOB_TIMEOUT_MS));
    const today = dayOf(Date.now());
    expect(report.days.map((d) => d.date)).toEqual(
      Array.from({ length: 7 }, (_, i) => addDays(today, i - 7)),
    );
    expect(report.days.every((d) => d.status === 'completed')).toBe(true);
    // It read Mercado Pago with its own token (the notice's content is never used).
    expect(h.sandbox.requests({ method: 'GET' }).length).toBeGreaterThan(0);
    expect(h.sandbox.requests({ method: 'GET' }).every((r) => r.tokenValid)).toBe(true);
  });
});

describe('reports handler', () => {
  it('cold start fails on a bad REPORT_GRACE_DAYS, naming it', async () => {
    routes.withEnv({ ...routes.baseEnv(), REPORT_GRACE_DAYS: '61' });
    await expect(routes.load()).rejects.toMatchObject({ name: 'ConfigError', variable: 'REPORT_GRACE_DAYS' });
  });

  it('answers GET /reports/refunds and GET /reports/reconciliations/{date} behind IAM', async () => {
    routes.withEnv(routes.baseEnv());
    const handler = await routes.load();
    const today = dayOf(Date.now());
    const listed = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'GET', path: `/reports/refunds?from=${today}&to=${today}` }),
    );
    expect(listed).toMatchObject({ status: 200, body: { from: today, to: today, refunds: [] } });
    const missing = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'GET', path: '/reports/reconciliations/2020-01-01' }),
    );
    expect(missing).toMatchObject({ status: 404, body: { code: 'RECONCILIATION_NOT_FOUND' } });
    const bad = await callHttp(
      handler,
      httpApiEvent('iam', { method: 'GET', path: `/reports/refunds?from=${today}` }),
    );
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_ERROR' } });
  });
});
