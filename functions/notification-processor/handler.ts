/**
 * The notification processor Lambda: consumes the webhook's queue with partial batch failures
 * (ReportBatchItemFailures). Configuration is checked here, at cold start.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../config/config.ts';
import { rootLogger } from '../observability/logger.ts';
import { processingDeps } from '../processing-runtime.ts';
import { createRuntime } from '../runtime.ts';
import { processBatch } from './process-batch.ts';

const runtime = createRuntime(loadConfig());
const deps = processingDeps(runtime);

/** Time kept back from the Lambda timeout so the batch response still gets out. */
const MARGIN_MS = 5_000;

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processBatch(deps, event, {
    log: rootLogger.child({ awsRequestId: context.awsRequestId }),
    deadline: runtime.clock.now() + context.getRemainingTimeInMillis() - MARGIN_MS,
  });
