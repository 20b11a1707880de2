/**
 * The single DynamoDB table (keys from functions/adapters/dynamodb/table.ts). It holds the state of every
 * refund, so it is protected three ways: deletion protection, RETAIN on stack deletion, and point-in-time
 * recovery (35 days). Its stream (new images) carries the events out of ledger writes to event-publisher.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TableKeys } from '../../functions/adapters/dynamodb/table.ts';

export class LedgerTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TableKeys.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TableKeys.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: TableKeys.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Feeds event-publisher: each ledger write's events out, as stored in the item (ledger-event-stream.ts).
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TableKeys.pendingIndexName,
      partitionKey: { name: TableKeys.pendingIndexPartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TableKeys.pendingIndexSortKey, type: dynamodb.AttributeType.STRING },
      // Reconciliation reads the keys (the next check time and the id) and when the work began (the
      // oldest-pending metric): an index write copies no document (~150 bytes, one write unit).
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [TableKeys.pendingSinceAttribute],
    });
  }

  /** ARN of the pending-work index, for a Query grant on that index only. */
  get pendingIndexArn(): string {
    return `${this.table.tableArn}/index/${TableKeys.pendingIndexName}`;
  }
}
