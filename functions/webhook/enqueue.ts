/** AWS: accepted notifications go to SQS, where the processor consumes them (retries, then a dead-letter queue). */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Dispatch } from './deps.ts';

export interface MessageSender {
  send(command: SendMessageCommand): Promise<unknown>;
}

let sqs: SQSClient | undefined;
const defaultClient = (): SQSClient => {
  sqs ??= new SQSClient({});
  return sqs;
};

export const queueDispatch =
  (queueUrl: string, client?: MessageSender): Dispatch =>
  async (work) => {
    const sender = client ?? defaultClient();
    await sender.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(work) }));
    return 'queued';
  };
