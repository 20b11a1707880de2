/** The reports job and routes over the harness (dynalite + the sandbox over HTTP), with a clock tests move. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalArchive } from '../../functions/adapters/archive/local-archive.ts';
import { createReconciliationStore } from '../../functions/adapters/dynamodb/reconciliation-store.ts';
import { createRefundIndex } from '../../functions/adapters/dynamodb/refund-index.ts';
import { createMercadoPagoReports } from '../../functions/adapters/mercadopago/reports-client.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { dayOf } from '../../functions/model/reports/days.ts';
import type { ReportSettings, ReportsDeps } from '../../functions/operations/reports/deps.ts';
import { runReports } from '../../functions/operations/reports/run-reports.ts';
import type { ReportsRouteDeps } from '../../functions/reports/deps.ts';
import { reportRoutes } from '../../functions/reports/routes.ts';
import { invoke, newId, quietLogger, SANDBOX_TOKEN } from '../support/harness.ts';
import type { MovableClock, Rig } from '../webhook/rig.ts';

export const DAY_MS = 86_400_000;

export const reportsKit = (rig: Rig, settings: Partial<ReportSettings> = {}) => {
  const { h } = rig;
  const clock: MovableClock = rig.clock;
  const dir = mkdtempSync(join(tmpdir(), 'reports-'));
  const deps = (overrides: Partial<ReportsDeps> = {}): ReportsDeps => ({
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    clock,
    newId,
    settings: h.settings,
    userId: h.sandbox.userId,
    reports: createMercadoPagoReports({
      baseUrl: h.sandbox.url,
      accessToken: async () => SANDBOX_TOKEN,
      clock,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      sleep: async () => undefined,
    }),
    reconciliations: createReconciliationStore(h.dynamo, h.tableName),
    index: createRefundIndex(h.dynamo, h.tableName),
    archive: createLocalArchive(dir),
    reportSettings: {
      graceDays: 3,
      waitHours: 24,
      manageConfig: false,
      chargebackWarningDays: 3,
      ...settings,
    },
    sleep: async () => undefined,
    ...overrides,
  });
  const routeDeps = (): ReportsRouteDeps => ({
    ledgers: h.ledgers,
    index: createRefundIndex(h.dynamo, h.tableName),
    reconciliations: createReconciliationStore(h.dynamo, h.tableName),
    clock,
    graceDays: settings.graceDays ?? 3,
  });
  const routes = createHttpHandler(
    reportRoutes(async () => routeDeps()),
    { logger: quietLogger },
  );
  return {
    dir,
    deps,
    /** The job for these days, as `npm run reports -- --date D` runs it. */
    run: (days: string[], overrides: Partial<ReportsDeps> = {}) =>
      runReports(deps(overrides), {
        log: quietLogger,
        deadline: clock.now() + 120_000,
        days,
        waitForFileMs: 0,
      }),
    /** One scheduled run (the last 7 finished days). */
    scheduled: (overrides: Partial<ReportsDeps> = {}) =>
      runReports(deps(overrides), { log: quietLogger, deadline: clock.now() + 120_000, waitForFileMs: 0 }),
    reconciliation: (date: string) =>
      invoke(routes, { method: 'GET', path: `/reports/reconciliations/${date}` }),
    refunds: (query: string, headers: Record<string, string> = {}) =>
      invoke(routes, { method: 'GET', path: `/reports/refunds?${query}`, headers }),
    routes,
    today: () => dayOf(clock.now()),
  };
};
