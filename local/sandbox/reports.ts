/**
 * Settlement reports: `POST /v1/account/settlement_report {begin_date, end_date}` (ISO-8601, begin before
 * end, at most 60 days) answers 202 with the pending task; its file is generated `reportDelayMs` later
 * (unless reports are held), named `<prefix>-<yyyy-MM-dd-HHmmss>.csv` (UTC generation time; one second later
 * when taken), listed by `/list`, downloaded by name, and a report-ready notice is POSTed. The file's rows are
 * those of the sandbox's records at generation time (report-rows.ts).
 */
import type { SandboxContext } from './context.ts';
import { DAY_MS } from './dates.ts';
import { mpError } from './mp-errors.ts';
import { defaultConfig, offsetOf } from './report-config.ts';
import { adjustRows, reportCsv } from './report-csv.ts';
import type { ReportTask, SettlementConfig } from './report-records.ts';
import { buildReportRows } from './report-rows.ts';

export const MAX_REPORT_DAYS = 60;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const reportConfigOf = (ctx: SandboxContext): SettlementConfig =>
  ctx.store.reports.config ?? defaultConfig(ctx.settings.userId);

const dateOf = (value: unknown): number => {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(value)) return Number.NaN;
  return Date.parse(value);
};

export const requestReport = (ctx: SandboxContext, body: unknown): ReportTask => {
  const now = ctx.now();
  const bad = (message: string) => mpError(now, 400, 'bad_request', message);
  if (!isObject(body)) throw bad('The body must be {"begin_date", "end_date"}');
  const beginMs = dateOf(body.begin_date);
  const endMs = dateOf(body.end_date);
  if (!Number.isFinite(beginMs) || !Number.isFinite(endMs))
    throw bad('begin_date and end_date are required ISO-8601 dates (2019-05-01T00:00:00Z)');
  if (endMs <= beginMs) throw bad('end_date must be after begin_date');
  if (endMs - beginMs > MAX_REPORT_DAYS * DAY_MS)
    throw bad(`A report covers at most ${MAX_REPORT_DAYS} days`);
  const task: ReportTask = {
    id: ctx.ids.report.next(),
    beginDate: body.begin_date as string,
    endDate: body.end_date as string,
    beginMs,
    endMs,
    requestedAt: now,
    readyAt: now + ctx.settings.reportDelayMs,
    fileName: null,
    generatedAt: null,
    csv: null,
  };
  ctx.store.reports.tasks.push(task);
  ctx.wake(ctx.settings.reportDelayMs);
  ctx.log(`settlement report ${task.id} requested: ${task.beginDate} .. ${task.endDate}`);
  return task;
};

const two = (n: number) => String(n).padStart(2, '0');

const fileNameAt = (prefix: string, ms: number): string => {
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  return `${prefix}-${date}-${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}.csv`;
};

const generate = (ctx: SandboxContext, task: ReportTask): void => {
  const config = reportConfigOf(ctx);
  const now = ctx.now();
  const taken = new Set(ctx.store.reports.tasks.map((t) => t.fileName));
  let at = now;
  while (taken.has(fileNameAt(config.file_name_prefix, at))) at += 1000;
  const rows = buildReportRows(ctx, task.beginMs, task.endMs, offsetOf(config.display_timezone));
  task.csv = reportCsv(config, adjustRows(rows, ctx.store.reports.adjustments));
  task.fileName = fileNameAt(config.file_name_prefix, at);
  task.generatedAt = now;
  ctx.log(`settlement report ${task.id} ready: ${task.fileName}`);
  ctx.changes.reportReady({
    transactionId: task.id,
    requestDate: task.requestedAt,
    generationDate: now,
    fileName: task.fileName,
  });
};

/** Generates the files that are due (all pending ones when `all`), unless reports are held. */
export const generateDueReports = (ctx: SandboxContext, all = false): void => {
  if (ctx.store.reports.held && !all) return;
  const now = ctx.now();
  for (const task of ctx.store.reports.tasks) {
    if (task.fileName === null && (all || task.readyAt <= now)) generate(ctx, task);
  }
};

export const reportTaskJson = (ctx: SandboxContext, task: ReportTask): Record<string, unknown> => ({
  id: Number(task.id),
  user_id: Number(ctx.settings.userId),
  begin_date: task.beginDate,
  end_date: task.endDate,
  created_from: 'manual',
  status: task.fileName === null ? 'pending' : 'processed',
  report_type: 'settlement',
  generation_date: new Date(task.readyAt).toISOString(),
  last_modified: new Date(task.generatedAt ?? task.requestedAt).toISOString(),
  retries: 0,
});

export const reportListJson = (ctx: SandboxContext, query: URLSearchParams): unknown => {
  const files = ctx.store.reports.tasks
    .filter((task) => task.fileName !== null)
    .map((task) => ({
      id: Number(task.id),
      user_id: Number(ctx.settings.userId),
      begin_date: task.beginDate,
      end_date: task.endDate,
      file_name: task.fileName,
      created_from: 'manual',
      date_created: new Date(task.generatedAt ?? 0).toISOString(),
    }));
  if (ctx.settings.reportListForm === 'array') return files;
  const limit = Math.min(1000, Math.max(1, Number(query.get('limit') ?? 100) || 100));
  const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
  return { paging: { total: files.length, limit, offset }, results: files.slice(offset, offset + limit) };
};

export const reportFile = (ctx: SandboxContext, fileName: string): string | undefined =>
  ctx.store.reports.tasks.find((task) => task.fileName === fileName)?.csv ?? undefined;
