/** AWS: accepted notifications go to SQS, where the processor consumes them (retries, then a dead-letter queue). */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ProblemError } from '../http/problems.ts';
import type { Clock } from '../model/clock.ts';
import type { Dispatch } from './dispatch.ts';

export interface MessageSender {
  send(command: SendMessageCommand, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

let sqs: SQSClient | undefined;
const defaultClient = (): SQSClient => {
  sqs ??= new SQSClient({});
  return sqs;
};

/**
 * Sends within the request's deadline. A send that failed or timed out answers 503 with Retry-After: nothing
 * was queued for certain from Mercado Pago's point of view, and its retry is queued (a duplicate message, if
 * the send did get through, is processed once: the processing is idempotent).
 */
export const queueDispatch =
  (queueUrl: string, clock: Clock, client?: MessageSender): Dispatch =>
  async (work, options) => {
    const sender = client ?? defaultClient();
    const budgetMs = Math.max(1, options.deadline - clock.now());
    try {
      await sender.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(work) }), {
        abortSignal: AbortSignal.timeout(budgetMs),
      });
    } catch (error) {
      throw new ProblemError(
        'UPSTREAM_UNAVAILABLE',
        'The notification could not be queued now; deliver it again.',
        {
          headers: { 'retry-after': '15' },
          cause: error,
        },
      );
    }
    return 'queued';
  };
