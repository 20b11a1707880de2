/** The notification processor Lambda: consumes the webhook's queue, with partial batch failures. */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { TIMING } from '../config/timing.ts';
import { invocationOf } from '../runtime/invocation.ts';
import { processingDepsOf } from '../runtime/runtime.ts';
import { loadProcessorConfig } from './config.ts';
import { processBatch } from './process-batch.ts';

const deps = processingDepsOf(loadProcessorConfig());
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processBatch(deps, event, invocationOf(context, deps.clock, TIMING.processorMarginMs));
