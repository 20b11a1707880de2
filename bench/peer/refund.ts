/**
 * The peer: POST /payments/{paymentId}/refunds as a user would assemble it from the usual parts, bundled like
 * the functions (bench/bundles.ts) and measured beside them:
 * - the official Mercado Pago SDK (`mercadopago`) reads the payment and creates the refund, with a fresh
 *   MercadoPagoConfig per call (the SDK keeps a call's idempotency key on the config it was given and sends it
 *   again on later calls: sdk-nodejs issue 481);
 * - Powertools idempotency (DynamoDB persistence layer, its own table with Powertools' schema: `id` key)
 *   keyed by the Idempotency-Key header and validating path + body, so a replay answers the stored response
 *   and a reused key with another body is refused;
 * - Powertools logger, one line per refund at `info`;
 * - middy to wire them.
 * The SDK has no base-URL option: its static AppConfig.BASE_URL is set from MP_API_BASE_URL at load (what
 * test/sandbox/official-sdk.test.ts does), nothing else in the SDK is touched. The SDK sends its requests
 * with node-fetch 2 (its dependency), which esbuild bundles.
 */
import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { MercadoPagoConfig, Payment, PaymentRefund } from 'mercadopago';
import { AppConfig } from 'mercadopago/dist/utils/config/index.js';

const baseUrl = process.env.MP_API_BASE_URL;
if (baseUrl) Reflect.set(AppConfig, 'BASE_URL', baseUrl.replace(/\/+$/, ''));

const accessToken = process.env.MP_ACCESS_TOKEN ?? '';
const endpoint = process.env.DYNAMODB_ENDPOINT;
const logger = new Logger({ serviceName: 'refunds-peer' });

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? 'idempotency',
  // The same client settings as the functions' (functions/adapters/dynamodb/client.ts).
  awsSdkV3Client: endpoint
    ? new DynamoDBClient({
        endpoint,
        region: process.env.AWS_REGION ?? 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 3,
      })
    : new DynamoDBClient({ maxAttempts: 3 }),
});
const idempotencyConfig = new IdempotencyConfig({
  eventKeyJmesPath: 'headers."idempotency-key"',
  payloadValidationJmesPath: '[pathParameters.paymentId, body]',
  throwOnNoIdempotencyKey: true,
  expiresAfterSeconds: 30 * 86_400,
});

/** A fresh config per call (see above). */
const config = () => new MercadoPagoConfig({ accessToken, options: { timeout: 10_000 } });

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const refund = async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const paymentId = event.pathParameters?.paymentId;
  if (!paymentId) return json(400, { code: 'VALIDATION_ERROR' });
  let amount: number | undefined;
  try {
    const body = JSON.parse(event.body ?? '{}') as { amount?: unknown };
    if (body.amount !== undefined && (typeof body.amount !== 'number' || !(body.amount > 0)))
      return json(400, { code: 'VALIDATION_ERROR' });
    amount = body.amount as number | undefined;
  } catch {
    return json(400, { code: 'VALIDATION_ERROR' });
  }
  const payment = await new Payment(config()).get({ id: paymentId });
  if (payment.status !== 'approved') return json(422, { code: 'PAYMENT_NOT_REFUNDABLE' });
  const key = event.headers['idempotency-key'] ?? '';
  const made = await new PaymentRefund(config()).create({
    payment_id: paymentId,
    body: amount === undefined ? {} : { amount },
    requestOptions: { idempotencyKey: `${paymentId}:${key}` },
  });
  const status = made.status === 'approved' ? 'succeeded' : 'pending';
  logger.info('refund created', { paymentId, refundId: made.id, status });
  return json(status === 'succeeded' ? 201 : 202, {
    id: String(made.id),
    paymentId,
    amount: made.amount,
    currency: payment.currency_id,
    status,
    mercadoPagoRefundId: String(made.id),
  });
};

export const handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown> = middy(refund)
  .use(injectLambdaContext(logger))
  .use(makeHandlerIdempotent({ persistenceStore, config: idempotencyConfig }));
