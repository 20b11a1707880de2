/** Settlement report endpoints under `/v1/account/settlement_report` (Payments error shape). */
import { type Route, simpleError } from './api-routes.ts';
import { TextBody } from './http-io.ts';
import { mpError } from './mp-errors.ts';
import { defaultConfig, mergeConfig } from './report-config.ts';
import { reportFile, reportListJson, reportTaskJson, requestReport } from './reports.ts';

const BASE = '/v1/account/settlement_report';

export const REPORT_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: new RegExp(`^${BASE}/config$`),
    idempotencyKey: 'ignored',
    run: (ctx) => {
      const config = ctx.store.reports.config;
      if (!config) return simpleError(404, 'not_found', 'There is no report configuration for this user');
      return { status: 200, body: config };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${BASE}/config$`),
    idempotencyKey: 'optional',
    run: (ctx, { body }) => {
      if (ctx.store.reports.config) {
        throw mpError(
          ctx.now(),
          409,
          'conflict',
          'A report configuration already exists: update it with PUT',
        );
      }
      ctx.store.reports.config = mergeConfig(defaultConfig(ctx.settings.userId), body, ctx.now());
      return { status: 201, body: ctx.store.reports.config };
    },
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^${BASE}/config$`),
    idempotencyKey: 'optional',
    run: (ctx, { body }) => {
      const current = ctx.store.reports.config;
      if (!current) return simpleError(404, 'not_found', 'There is no report configuration for this user');
      ctx.store.reports.config = mergeConfig(current, body, ctx.now());
      return { status: 200, body: ctx.store.reports.config };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${BASE}/list$`),
    idempotencyKey: 'ignored',
    run: (ctx, { request }) => ({ status: 200, body: reportListJson(ctx, request.query) }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^${BASE}$`),
    idempotencyKey: 'optional',
    run: (ctx, { body }) => ({ status: 202, body: reportTaskJson(ctx, requestReport(ctx, body)) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^${BASE}/([^/]+)$`),
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => {
      const csv = reportFile(ctx, params[0] ?? '');
      if (csv === undefined) return simpleError(404, 'not_found', `Report ${params[0]} not found`);
      return { status: 200, body: new TextBody('text/csv; charset=utf-8', csv) };
    },
  },
];
