/**
 * A queue a Lambda consumes, with its dead-letter queue (kept 14 days): both SQS-encrypted and TLS-only. The
 * notification queue (webhook -> processor: a notification that failed five times is kept for a person) and
 * the reports job's wake queue (a report-ready notice: retried once, then kept; the next scheduled run does the
 * same work) are two of these.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ConsumedQueueProps {
  /** The consumer's timeout: the visibility timeout is six times it, as Lambda recommends for SQS sources. */
  consumerTimeout: Duration;
  /** How long an unconsumed message is worth keeping. */
  retention: Duration;
  /** Deliveries before a message goes to the dead-letter queue. */
  maxReceiveCount: number;
}

export class ConsumedQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ConsumedQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      retentionPeriod: props.retention,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
