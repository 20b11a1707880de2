/** AWS: how many notifications wait in the dead-letter queue (what `npm run ops -- redrive` moves back). */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface DeadLetters {
  /** The queue's name, as the attention list shows it. */
  name: string;
  count(): Promise<number>;
}

export interface AttributeReader {
  send(command: GetQueueAttributesCommand): Promise<{ Attributes?: Record<string, string> }>;
}

export const sqsDeadLetters = (
  queueUrl: string,
  client: AttributeReader = new SQSClient({}),
): DeadLetters => ({
  name: queueUrl.slice(queueUrl.lastIndexOf('/') + 1),
  async count() {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  },
});
