/**
 * What the bare handlers share: one DynamoDB client and one undici agent per process, read from the same
 * environment variables as the project, and nothing else (no validation library, no middleware, no logger).
 * They keep the project's protocol (same items, same conditional writes, same Mercado Pago calls and
 * headers) so that the difference measured is the cost of the project's code, not of its calls.
 */
import { createHash } from 'node:crypto';
import { type AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Agent, request } from 'undici';

export type Event = APIGatewayProxyEventV2;
export type Result = APIGatewayProxyStructuredResultV2;
export type Item = Record<string, AttributeValue>;

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

export const tableName = required('TABLE_NAME');
const endpoint = process.env.DYNAMODB_ENDPOINT;
const apiBase = (process.env.MP_API_BASE_URL ?? 'https://api.mercadopago.com').replace(/\/+$/, '');
const accessToken = required('MP_ACCESS_TOKEN');

export const dynamo = endpoint
  ? new DynamoDBClient({
      endpoint,
      region: process.env.AWS_REGION ?? 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 3,
    })
  : new DynamoDBClient({ maxAttempts: 3 });

const agent = new Agent({
  connect: { timeout: 3_000 },
  keepAliveTimeout: 4_000,
  keepAliveMaxTimeout: 60_000,
});

export interface MpAnswer {
  status: number;
  json: Record<string, unknown> | undefined;
}

/** One call to Mercado Pago (no retries: a bare handler). */
export const mercadoPago = async (
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<MpAnswer> => {
  const response = await request(`${apiBase}${path}`, {
    method,
    dispatcher: agent,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
    headers: {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
};

export const answer = (status: number, body: unknown, headers: Record<string, string> = {}): Result => ({
  statusCode: status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const problem = (status: number, code: string): Result =>
  answer(status, { code }, { 'content-type': 'application/problem+json' });

export const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A name-based UUID: the same Mercado Pago key on every retry of one request. */
export const uuidFrom = (name: string): string => {
  const hex = sha256(name);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export const ledgerKey = (paymentId: string): Item => ({
  pk: { S: `PAYMENT#${paymentId}` },
  sk: { S: 'LEDGER' },
});
export const idempotencyKey = (key: string): Item => ({
  pk: { S: `IDEMPOTENCY#${key}` },
  sk: { S: 'IDEMPOTENCY' },
});

export interface BareRefund {
  id: string;
  amountMinor: number;
  status: 'pending' | 'succeeded' | 'failed';
  mercadoPagoRefundId: string | null;
}

export interface BareLedger {
  paymentId: string;
  currency: string;
  totalMinor: number;
  status: string;
  refunds: BareRefund[];
  cancellation?: { status: 'pending' | 'cancelled'; key: string };
  version: number;
}

export const ledgerFrom = (item: Item | undefined): BareLedger | undefined =>
  item?.doc?.S
    ? { ...(JSON.parse(item.doc.S) as BareLedger), version: Number(item.version?.N ?? 0) }
    : undefined;

/** Writes the next version of a ledger if nobody wrote since `ledger.version`. */
export const saveLedger = async (ledger: BareLedger): Promise<BareLedger> => {
  const next = { ...ledger, version: ledger.version + 1 };
  await dynamo.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        ...ledgerKey(ledger.paymentId),
        version: { N: String(next.version) },
        doc: { S: JSON.stringify(next) },
        paymentId: { S: ledger.paymentId },
      },
      ...(ledger.version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': { N: String(ledger.version) } },
          }),
    }),
  );
  return next;
};

/** Integer minor units of a decimal amount (2 decimals: BRL and the like). */
export const toMinor = (amount: number): number => Math.round(amount * 100);

/** Events out, as the project writes them without an event bus: one JSON line each. */
export const publishLine = (detailType: string, detail: unknown): void => {
  process.stdout.write(
    `${JSON.stringify({ source: 'bench.baseline', 'detail-type': detailType, detail })}\n`,
  );
};
