/**
 * What `npm run reconcile` and `npm run reports` share: Mercado Pago required, then the data, from the running
 * `npm start` (DYNAMODB_ENDPOINT) or opened here from DATA_DIR (when no server holds it: LevelDB lets one
 * process at a time open the folder), with its writes' events going to EVENTS_FILE as `npm start`'s do; the
 * function's configuration loaded; the table checked. Each failure is one clear line and exit code 2.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../functions/config/fields.ts';
import { rootLogger } from '../functions/observability/logger.ts';
import { DataDirInUseError, tableStatus } from './dynamodb.ts';
import { type LocalDynamoDb, startLocalDynamoDb } from './embedded-dynamodb.ts';
import { DEFAULT_EVENTS_FILE } from './events-file.ts';

export const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(2);
};

/**
 * Checks Mercado Pago's settings and opens the data (`script`: `npm run reconcile`...); sets DYNAMODB_ENDPOINT,
 * TABLE_NAME and AWS_REGION for the function's configuration. Answers the DynamoDB it opened, if it did.
 */
export const openLocalData = async (
  env: NodeJS.ProcessEnv,
  script: string,
): Promise<LocalDynamoDb | undefined> => {
  if (!env.MP_ACCESS_TOKEN && !env.MP_ACCESS_TOKEN_SECRET_ARN)
    fail(
      `${script} needs Mercado Pago: set MP_ACCESS_TOKEN (and MP_API_BASE_URL for a sandbox, e.g. the one ` +
        '`npm start` printed, with MP_ACCESS_TOKEN=TEST-sandbox-token).',
    );
  let db: LocalDynamoDb | undefined;
  if (!env.DYNAMODB_ENDPOINT) {
    if (!env.DATA_DIR)
      fail(
        `${script} needs the data to work on: set DYNAMODB_ENDPOINT (the DynamoDB \`npm start\` printed) ` +
          'or DATA_DIR (a folder no running server holds open).',
      );
    try {
      db = await startLocalDynamoDb({
        dataDir: env.DATA_DIR,
        eventsFile: env.EVENTS_FILE?.trim() || DEFAULT_EVENTS_FILE,
        log: rootLogger.child({ component: 'events' }),
      });
    } catch (error) {
      if (error instanceof DataDirInUseError)
        fail(
          `${error.message}. Stop it first, or leave DATA_DIR unset and set DYNAMODB_ENDPOINT to the DynamoDB ` +
            'endpoint `npm start` printed.',
        );
      fail(
        `Cannot open DATA_DIR ${env.DATA_DIR} (is \`npm start\` using it? then set DYNAMODB_ENDPOINT): ${String(error)}`,
      );
    }
    env.DYNAMODB_ENDPOINT = db?.endpoint;
  }
  env.TABLE_NAME ??= 'mercadopago-refunds-local';
  env.AWS_REGION ??= 'local';
  return db;
};

/** The function's configuration, or its ConfigError's message as the script's failure. */
export const loadOrFail = <T>(load: () => T): T => {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
};

/** Fails unless the table exists (closing what was opened first). */
export const requireTable = async (
  dynamo: DynamoDBClient,
  tableName: string,
  endpoint: string | undefined,
  db: LocalDynamoDb | undefined,
): Promise<void> => {
  const status = await tableStatus(dynamo, tableName).catch((error: unknown) =>
    fail(`Cannot read DynamoDB at ${endpoint}: ${error instanceof Error ? error.message : error}`),
  );
  if (status !== undefined) return;
  dynamo.destroy();
  await db?.close();
  fail(
    `No table ${tableName} at ${endpoint}: nothing to work on. Check TABLE_NAME, and DATA_DIR or ` +
      'DYNAMODB_ENDPOINT (`npm start` creates the table).',
  );
};
