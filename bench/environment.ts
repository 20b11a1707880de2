/**
 * The environment a function process gets in the bench: what Lambda sets (region, credentials, function
 * name), the configuration the functions read, pointed at the embedded DynamoDB and the sandbox, and nothing
 * from this shell. NODE_OPTIONS is left unset, as in the deployed functions (infra/constructs/project-function.ts).
 * Without EVENT_BUS_NAME and NOTIFICATION_QUEUE_URL the functions run as `npm start` does: events are
 * written as lines, notifications are processed inline by the webhook.
 */
import { ACCESS_TOKEN, PEER_TABLE_NAME, STORE_ID, TABLE_NAME, USER_ID, WEBHOOK_SECRET } from './services.ts';

/** `warn` silences the access log; `info` is the deployed default (infra/settings.ts). */
export type BenchLogLevel = 'warn' | 'info';

export interface FunctionEnvironmentInput {
  functionName: string;
  dynamoEndpoint: string;
  sandboxUrl: string;
  logLevel: BenchLogLevel;
  /** The peer is in the process: its idempotency table (IDEMPOTENCY_TABLE_NAME) is set too. */
  withPeer?: boolean;
  /** Another table than the bench's (the reconciliation drain has its own). */
  tableName?: string;
}

export const functionEnvironment = (input: FunctionEnvironmentInput): Record<string, string> => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  LANG: 'C.UTF-8',
  TZ: 'UTC',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIABENCH00000000000',
  AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
  AWS_SESSION_TOKEN: 'bench-session-token',
  AWS_LAMBDA_FUNCTION_NAME: input.functionName,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  TABLE_NAME: input.tableName ?? TABLE_NAME,
  DYNAMODB_ENDPOINT: input.dynamoEndpoint,
  MP_API_BASE_URL: input.sandboxUrl,
  MP_ACCESS_TOKEN: ACCESS_TOKEN,
  MP_WEBHOOK_SECRET: WEBHOOK_SECRET,
  MP_USER_ID: USER_ID,
  MP_EXTERNAL_STORE_ID: STORE_ID,
  MP_SITE_ID: 'MLB',
  PUBLIC_WEBHOOK_URL: 'https://bench.example.com/webhooks/mercadopago',
  LOG_LEVEL: input.logLevel,
  ...(input.withPeer ? { IDEMPOTENCY_TABLE_NAME: PEER_TABLE_NAME } : {}),
});
