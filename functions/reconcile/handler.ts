/**
 * The reconciliation Lambda, run on a schedule (EventBridge rule): settles what notifications missed.
 * Configuration is checked here, at cold start.
 */
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config/config.ts';
import { rootLogger } from '../observability/logger.ts';
import { createRuntime } from '../runtime.ts';
import { type ReconcileReport, runReconcile } from './run.ts';
import { reconcileDeps } from './runtime-deps.ts';

const runtime = createRuntime(loadConfig());
const deps = reconcileDeps(runtime);

/** Time kept back from the Lambda timeout: the last payments started still finish and the run reports. */
const MARGIN_MS = 30_000;

export const handler = async (_event: unknown, context: Context): Promise<ReconcileReport> =>
  runReconcile(deps, {
    log: rootLogger.child({ awsRequestId: context.awsRequestId, job: 'reconcile' }),
    deadline: runtime.clock.now() + context.getRemainingTimeInMillis() - MARGIN_MS,
  });
