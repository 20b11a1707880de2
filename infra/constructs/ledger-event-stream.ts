/**
 * Events out in AWS: the table's stream (NEW_IMAGE) feeds event-publisher, which puts on the bus the events
 * each write stored in its item (its outbox). Only writes that stored an outbox reach the function (the
 * event source's filter): the other writes cost no invocation.
 * A failing record is retried (its batch bisected) RETRY_ATTEMPTS times; then the batch's description (shard
 * and sequence numbers, not the records) goes to the failure queue, whose alarm calls a person: the records
 * stay readable in the stream for 24 hours, and every unpublished event was logged whole.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_ATTRIBUTE } from '../../functions/adapters/dynamodb/ledger-store.ts';

export interface LedgerEventStreamProps {
  /** The table, with its stream enabled (NEW_IMAGE). */
  table: dynamodb.ITable;
  publisher: lambda.IFunction;
}

/** A batch holds at most this many records; a handful of PutEvents calls. */
export const STREAM_BATCH_SIZE = 25;
export const RETRY_ATTEMPTS = 10;

export class LedgerEventStream extends Construct {
  readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: LedgerEventStreamProps) {
    super(scope, id);
    this.failureQueue = new sqs.Queue(this, 'Failures', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'It is the on-failure destination of the stream event source: a dead-letter queue itself.',
    });
    props.publisher.addEventSource(
      new DynamoEventSource(props.table, {
        // The stream is new when this is first deployed: nothing in it may be skipped.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_BATCH_SIZE,
        bisectBatchOnError: true,
        retryAttempts: RETRY_ATTEMPTS,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.failureQueue),
        // A ledger's write stores the count of its events (N; the events are in its packed body), a QR
        // order record's stores them as JSON (S): either way, writes without events cost no invocation.
        filters: [
          lambda.FilterCriteria.filter({
            dynamodb: { NewImage: { [OUTBOX_ATTRIBUTE]: { N: lambda.FilterRule.exists() } } },
          }),
          lambda.FilterCriteria.filter({
            dynamodb: { NewImage: { [OUTBOX_ATTRIBUTE]: { S: lambda.FilterRule.exists() } } },
          }),
        ],
      }),
    );
  }
}
