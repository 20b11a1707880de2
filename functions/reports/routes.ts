/** The reports routes (API.md, "Reports"): read-only views of the refunds by day and of each day's reconciliation. */
import { ProblemError } from '../http/problems.ts';
import type { Routes } from '../http/types.ts';
import { parseWith } from '../http/validation.ts';
import { MAX_LISTED_DISCREPANCIES, reconciliationView } from '../operations/reports/run-reports.ts';
import type { ReportsRouteDeps } from './deps.ts';
import { listReportedRefunds } from './list-refunds.ts';
import { daySchema, refundsQuerySchema } from './schemas.ts';

export const REPORTED_REFUNDS_ROUTE = 'GET /reports/refunds';
export const RECONCILIATION_ROUTE = 'GET /reports/reconciliations/{date}';

export const reportRoutes = (deps: () => Promise<ReportsRouteDeps>): Routes => ({
  [REPORTED_REFUNDS_ROUTE]: async (req) =>
    listReportedRefunds(await deps(), parseWith(refundsQuerySchema, req.query, 'query'), req),
  [RECONCILIATION_ROUTE]: async (req) => {
    const date = parseWith(daySchema, req.pathParameters.date, 'date');
    const d = await deps();
    const day = await d.reconciliations.getDay(date);
    if (day === undefined)
      throw new ProblemError('RECONCILIATION_NOT_FOUND', `No reconciliation of ${date} has run.`);
    const { items, more } = await d.reconciliations.discrepancies(date, MAX_LISTED_DISCREPANCIES);
    return { status: 200, body: reconciliationView(day, items, more) };
  },
});
