import type { Context } from 'aws-lambda';
import { type Clock, systemClock } from '../functions/model/clock.ts';

export const DEFAULT_FUNCTION_TIMEOUT_MS = 25_000;

/**
 * A Lambda-like context for one invocation: what handlers read of it (request id, function name,
 * remaining time counted down from the function's timeout) behaves as in AWS.
 */
export const createLambdaContext = (
  functionName: string,
  timeoutMs: number = DEFAULT_FUNCTION_TIMEOUT_MS,
  clock: Clock = systemClock,
): Context => {
  const deadline = clock.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('Callback-style Lambda completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - clock.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
};
