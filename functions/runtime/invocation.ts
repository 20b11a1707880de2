/** What a background function derives from each invocation's context: its logger and its deadline. */
import type { Context } from 'aws-lambda';
import type { Clock } from '../model/clock.ts';
import { type LogFields, type Logger, rootLogger } from '../observability/logger.ts';

export interface Invocation {
  log: Logger;
  /** Epoch ms: the Lambda timeout less `marginMs`, kept back so the function still reports. */
  deadline: number;
}

export const invocationOf = (
  context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>,
  clock: Clock,
  marginMs: number,
  fields: LogFields = {},
): Invocation => ({
  log: rootLogger.child({ awsRequestId: context.awsRequestId, ...fields }),
  deadline: clock.now() + context.getRemainingTimeInMillis() - marginMs,
});
