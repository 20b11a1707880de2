/**
 * `npm start`: the whole API on one machine. An embedded DynamoDB (dynalite) unless DYNAMODB_ENDPOINT is set,
 * and an embedded Mercado Pago sandbox unless MP_ACCESS_TOKEN is set; then the same Lambda handlers that run
 * in AWS, behind a local HTTP server on 127.0.0.1:PORT.
 */

import { dynamoDbClient } from '../functions/adapters/dynamodb/client.ts';
import { loadCancellationConfig } from '../functions/cancellation/config.ts';
import { ConfigError, type Env } from '../functions/config/fields.ts';
import { decimalsOf, isSiteId } from '../functions/model/money.ts';
import { rootLogger } from '../functions/observability/logger.ts';
import { loadOpsConfig } from '../functions/ops/config.ts';
import { loadOrdersConfig } from '../functions/orders/config.ts';
import { loadQrOrdersConfig } from '../functions/qr-orders/config.ts';
import { loadReconcileConfig } from '../functions/reconcile/config.ts';
import { loadRefundsConfig } from '../functions/refunds/config.ts';
import { loadReportsConfig } from '../functions/reports/config.ts';
import { loadReportsJobConfig } from '../functions/reports-job/config.ts';
import { loadWebhookConfig } from '../functions/webhook/config.ts';
import { createTable, DataDirInUseError } from './dynamodb.ts';
import { startLocalDynamoDb } from './embedded-dynamodb.ts';
import { DEFAULT_EVENTS_FILE } from './events-file.ts';
import { openApiRoute } from './openapi-route.ts';
import { startSandbox } from './sandbox/index.ts';
import { checkPortFree, startLocalServer } from './server.ts';

const env = process.env;
const out = (line = '') => process.stdout.write(`${line}\n`);
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const port = Number(env.PORT ?? 3000);
if (!/^\d+$/.test(env.PORT ?? '3000') || port > 65_535)
  fail(`Configuration error: PORT must be a port number, got "${env.PORT}"`);
// Local only: the functions' timeout (and so their locks), 25 s as in AWS unless a test shortens it.
const timeoutRaw = env.LOCAL_FUNCTION_TIMEOUT_SECONDS ?? '25';
if (!/^\d+$/.test(timeoutRaw) || Number(timeoutRaw) < 1 || Number(timeoutRaw) > 900)
  fail(
    `Configuration error: LOCAL_FUNCTION_TIMEOUT_SECONDS must be a whole number from 1 to 900, got "${timeoutRaw}"`,
  );
const functionTimeoutMs = Number(timeoutRaw) * 1000;
if (env.MP_ACCESS_TOKEN && !env.MP_WEBHOOK_SECRET) {
  fail('Configuration error: MP_WEBHOOK_SECRET is required when MP_ACCESS_TOKEN is set');
}

/** Every function this server runs (and `/local/reconcile`) reads its own slice of the environment. */
const CONFIG_LOADERS: readonly ((env: Env) => unknown)[] = [
  loadRefundsConfig,
  loadCancellationConfig,
  loadOrdersConfig,
  loadQrOrdersConfig,
  loadWebhookConfig,
  loadReconcileConfig,
  loadOpsConfig,
  loadReportsConfig,
  loadReportsJobConfig,
];

/** A missing or malformed variable stops the start with a message naming it. */
const checkConfig = (vars: typeof env): void => {
  try {
    for (const load of CONFIG_LOADERS) load(vars);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
};

// Every variable is checked before anything starts (the sandbox and the local defaults fill the rest later).
checkConfig({
  ...env,
  MP_ACCESS_TOKEN: env.MP_ACCESS_TOKEN || 'checked-later',
  MP_WEBHOOK_SECRET: env.MP_WEBHOOK_SECRET || 'checked-later',
  TABLE_NAME: env.TABLE_NAME || 'checked-later',
});
if (env.MP_ACCESS_TOKEN && !env.MP_USER_ID) {
  process.stderr.write('Warning: MP_USER_ID is not set: the QR order routes answer 500 until it is.\n');
}

const closers: (() => Promise<void>)[] = [];

/** One line for what a developer can fix (a busy port, a DATA_DIR in use), rather than a stack trace. */
const startFailure = (error: unknown): string | undefined => {
  if (error instanceof DataDirInUseError) return `${error.message}: stop it, or set another DATA_DIR.`;
  const { code, address, port: busy } = error as { code?: unknown; address?: unknown; port?: unknown };
  const variable = busy === Number(env.SANDBOX_PORT) ? 'SANDBOX_PORT' : 'PORT';
  if (code === 'EADDRINUSE')
    return `Cannot listen on ${address}:${busy}: the port is in use (a running \`npm start\`?). Stop it, or set ${variable}.`;
  if (code === 'EACCES') return `Cannot listen on ${address}:${busy}: permission denied. Set ${variable}.`;
  return undefined;
};

const orFail = async <T>(starting: Promise<T>): Promise<T> => {
  try {
    return await starting;
  } catch (error) {
    const message = startFailure(error);
    if (message === undefined) throw error;
    for (const close of closers) await close().catch(() => undefined);
    return fail(message);
  }
};

await orFail(checkPortFree(port));
const localUrl = `http://127.0.0.1:${port}`;
env.PUBLIC_WEBHOOK_URL ??= `${localUrl}/webhooks/mercadopago`;

// Mercado Pago: the embedded sandbox when no credentials are set.
const sandbox = env.MP_ACCESS_TOKEN
  ? undefined
  : await orFail(
      startSandbox({
        port: Number(env.SANDBOX_PORT ?? 0),
        notificationUrl: env.PUBLIC_WEBHOOK_URL,
        ...(env.MP_USER_ID ? { userId: env.MP_USER_ID } : {}),
        ...(env.MP_SITE_ID && isSiteId(env.MP_SITE_ID) ? { siteId: env.MP_SITE_ID } : {}),
        log: (line) => {
          if (env.LOG_LEVEL === 'debug') out(`[sandbox] ${line}`);
        },
      }),
    );
if (sandbox) {
  closers.push(() => sandbox.close());
  env.MP_API_BASE_URL = sandbox.url;
  env.MP_ACCESS_TOKEN = sandbox.accessToken;
  env.MP_WEBHOOK_SECRET = sandbox.webhookSecret;
  env.MP_USER_ID ??= sandbox.userId;
  env.MP_EXTERNAL_STORE_ID ??= 'SUCURSAL_01';
}

// DynamoDB: the embedded one unless an endpoint is given; the table is created when missing. Its forwarder
// publishes each write's events to EVENTS_FILE, as the table's stream does in AWS.
let dataNote = '';
const eventsFile = env.EVENTS_FILE?.trim() || DEFAULT_EVENTS_FILE;
let eventsNote = `not published (DYNAMODB_ENDPOINT is set: no forwarder in front of it)`;
if (!env.DYNAMODB_ENDPOINT) {
  eventsNote = eventsFile;
  const db = await orFail(
    startLocalDynamoDb({
      dataDir: env.DATA_DIR,
      eventsFile,
      onEvent: (event) => out(`event: ${event.detailType} ${JSON.stringify(event.detail)}`),
      log: rootLogger.child({ component: 'events' }),
    }),
  );
  closers.push(() => db.close());
  env.DYNAMODB_ENDPOINT = db.endpoint;
  if (env.DATA_DIR) dataNote = ` (embedded, data in ${env.DATA_DIR})`;
}
env.TABLE_NAME ??= 'mercadopago-refunds-local';
env.AWS_REGION ??= 'local';

checkConfig(env);

// The same client the handlers of this process use (same endpoint, same credentials).
await createTable(dynamoDbClient(env.DYNAMODB_ENDPOINT), env.TABLE_NAME);

// The handlers read the configuration at import, as at a Lambda cold start.
const [refunds, cancellation, orders, qrOrders, webhook, ops, reports] = await Promise.all([
  import('../functions/refunds/handler.ts'),
  import('../functions/cancellation/handler.ts'),
  import('../functions/orders/handler.ts'),
  import('../functions/qr-orders/handler.ts'),
  import('../functions/webhook/handler.ts'),
  import('../functions/ops/handler.ts'),
  import('../functions/reports/handler.ts'),
]);

const server = await orFail(
  startLocalServer({
    port,
    handlers: {
      refunds: refunds.handler,
      cancellation: cancellation.handler,
      orders: orders.handler,
      'qr-orders': qrOrders.handler,
      webhook: webhook.handler,
      ops: ops.handler,
      reports: reports.handler,
    },
    timeoutsMs: {
      refunds: functionTimeoutMs,
      cancellation: functionTimeoutMs,
      orders: functionTimeoutMs,
      'qr-orders': functionTimeoutMs,
      webhook: functionTimeoutMs,
      ops: functionTimeoutMs,
      reports: functionTimeoutMs,
    },
    extraRoutes: [openApiRoute],
  }),
);
closers.unshift(() => server.close());

out(`Mercado Pago refunds API listening on ${server.url}`);
out(
  // The endpoint even with DATA_DIR: what `npm run reconcile` needs (DYNAMODB_ENDPOINT) while this runs.
  `  DynamoDB: ${env.DYNAMODB_ENDPOINT}${dataNote}  table ${env.TABLE_NAME}`,
);
out(
  `  Mercado Pago: ${sandbox ? `embedded sandbox at ${sandbox.url} (controls: ${sandbox.url}/__sandbox)` : env.MP_API_BASE_URL}`,
);
if (sandbox && dataNote) {
  out(
    `  Note: the sandbox keeps its payments and refunds in memory, ${env.DATA_DIR} keeps the ledgers: after a ` +
      'restart the sandbox has forgotten the refunds they hold and its refund ids start again (the same ids as ' +
      'stored ones). Empty the folder when restarting, or keep DATA_DIR for an API that remembers.',
  );
}
out(`  Webhook: ${env.PUBLIC_WEBHOOK_URL}`);
out(`  Events: ${eventsNote}`);
out(`  OpenAPI: ${server.url}${openApiRoute.path}`);
if (sandbox) {
  out();
  out('Demo payments:');
  const demoPayments = sandbox.demoPayments();
  for (const p of demoPayments) {
    const money = `${p.amount.toFixed(decimalsOf(p.currency))} ${p.currency}`.padEnd(15);
    out(`  ${p.id}  ${p.siteId}  ${money} ${`${p.status}/${p.statusDetail}`.padEnd(33)} ${p.description}`);
  }
  const demo = demoPayments.find(
    (p) => p.siteId === 'MLB' && p.status === 'approved' && p.statusDetail === 'accredited',
  );
  if (demo) {
    out();
    out('Refund one, then look at it:');
    out(
      `  curl -s -X POST ${server.url}/payments/${demo.id}/refunds -H 'Content-Type: application/json' -H 'Idempotency-Key: demo-1' -d '{"amount": 10}'`,
    );
    out(`  curl -s ${server.url}/payments/${demo.id}/refunds`);
  }
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  for (const close of closers) await close().catch(() => undefined);
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
