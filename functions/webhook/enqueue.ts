/**
 * AWS: accepted notifications go to SQS, where the processor consumes them (retries, then a dead-letter queue);
 * a report-ready notice goes to the reports job's wake queue.
 */
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
 * Sends one message within the request's deadline. A send that failed or timed out answers 503 with
 * Retry-After: nothing was queued for certain from Mercado Pago's point of view, and its retry is queued (a
 * duplicate message, if the send did get through, is harmless: its consumer is idempotent).
 */
const sendWithin = async (
  queueUrl: string,
  body: string,
  options: { clock: Clock; deadline: number; client: MessageSender | undefined; what: string },
): Promise<void> => {
  const sender = options.client ?? defaultClient();
  const budgetMs = Math.max(1, options.deadline - options.clock.now());
  try {
    await sender.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }), {
      abortSignal: AbortSignal.timeout(budgetMs),
    });
  } catch (error) {
    throw new ProblemError(
      'UPSTREAM_UNAVAILABLE',
      `${options.what} could not be queued now; deliver it again.`,
      {
        headers: { 'retry-after': '15' },
        cause: error,
      },
    );
  }
};

export const queueDispatch =
  (queueUrl: string, clock: Clock, client?: MessageSender): Dispatch =>
  async (work, options) => {
    await sendWithin(queueUrl, JSON.stringify(work), {
      clock,
      deadline: options.deadline,
      client,
      what: 'The notification',
    });
    return 'queued';
  };

/** The body of a wake message: the reports job reads none of it (a wake runs the same run as the schedule). */
export interface ReportsWake {
  wake: 'reports';
  receivedAt: string;
}

/** Wakes the reports job: one message on its queue (REPORTS_WAKE_QUEUE_URL), whose consumer is the job. */
export const queueReportsWake =
  (queueUrl: string, clock: Clock, client?: MessageSender) =>
  async (options: { deadline: number }): Promise<void> => {
    const wake: ReportsWake = { wake: 'reports', receivedAt: new Date(clock.now()).toISOString() };
    await sendWithin(queueUrl, JSON.stringify(wake), {
      clock,
      deadline: options.deadline,
      client,
      what: 'The report notice',
    });
  };
