/** What the reports job needs, from its configuration (Lambda cold start, or `npm run reports`). */
import { createLocalArchive } from '../adapters/archive/local-archive.ts';
import { createS3Archive } from '../adapters/archive/s3-archive.ts';
import { createMercadoPagoReports } from '../adapters/mercadopago/reports-client.ts';
import { createSecretResolver } from '../adapters/secrets.ts';
import type { ReportsDeps } from '../operations/reports/deps.ts';
import {
  createRuntime,
  ledgerDepsOf,
  mercadoPagoClientOf,
  type Runtime,
  reportStoresOf,
} from '../runtime/runtime.ts';
import type { ReportsJobConfig } from './config.ts';

export const reportsJobDeps = (
  config: ReportsJobConfig,
  runtime: Runtime = createRuntime(config.storage),
): ReportsDeps => ({
  ...ledgerDepsOf(runtime, config.settlement),
  ...reportStoresOf(runtime),
  mercadoPago: mercadoPagoClientOf(runtime, config.mercadoPago),
  reports: createMercadoPagoReports({
    baseUrl: config.mercadoPago.baseUrl,
    accessToken: createSecretResolver(config.mercadoPago.accessToken),
    clock: runtime.clock,
  }),
  archive:
    config.archive.kind === 'bucket'
      ? createS3Archive(config.archive.bucket)
      : createLocalArchive(config.archive.dir),
  reportSettings: config.reports,
  userId: config.userId,
});
