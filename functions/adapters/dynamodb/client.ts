import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;

/**
 * One client per process, created on first use and reused across warm invocations. With an explicit
 * endpoint (the embedded DynamoDB) it uses static local credentials so no credential provider is queried.
 */
export const dynamoDbClient = (
  endpoint: string | undefined = process.env.DYNAMODB_ENDPOINT,
): DynamoDBClient => {
  if (client) return client;
  client = endpoint
    ? new DynamoDBClient({
        endpoint,
        region: process.env.AWS_REGION ?? 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 3,
      })
    : new DynamoDBClient({ maxAttempts: 3 });
  return client;
};

/** A conditional write whose condition did not hold (someone else wrote first). */
export const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
