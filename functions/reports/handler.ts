/** The reports Lambda: GET /reports/refunds and GET /reports/reconciliations/{date}. */
import { createHttpHandler } from '../http/create-http-handler.ts';
import { loadReportsConfig } from './config.ts';
import { reportsDeps } from './deps.ts';
import { reportRoutes } from './routes.ts';

const deps = reportsDeps(loadReportsConfig());
export const handler = createHttpHandler(reportRoutes(async () => deps));
