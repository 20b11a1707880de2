/**
 * The queue through which a report-ready notice wakes the reports job: the webhook sends one message (at most
 * one per 10 seconds), the reports job consumes it (batches of one) and runs as on its hourly schedule. A wake
 * its run failed on is retried once, then kept in a dead-letter queue: the next scheduled run does the same
 * work, so nothing waits on it. Both SQS-encrypted and TLS-only, like the notification queue.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ReportsWakeQueueProps {
  /** The job's timeout: the visibility timeout is six times it, as Lambda recommends for SQS sources. */
  consumerTimeout: Duration;
}

export const WAKE_MAX_RECEIVE_COUNT = 2;

export class ReportsWakeQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ReportsWakeQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      // A wake older than a day is worth no more than the hourly runs since.
      retentionPeriod: Duration.days(1),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WAKE_MAX_RECEIVE_COUNT },
    });
  }
}
