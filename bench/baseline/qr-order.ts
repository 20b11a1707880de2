/**
 * Bare QR-order handler: PUT /pos/{externalPosId}/order with the project's calls: the order's record read
 * (a paid reference may not be reused), the order put at Mercado Pago with a TTL and the webhook as
 * notification URL, the record written.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  answer,
  dynamo,
  type Event,
  mercadoPago,
  problem,
  type Result,
  tableName,
  uuidFrom,
} from './common.ts';

const TTL_SECONDS = 600;
const userId = process.env.MP_USER_ID ?? '';
const defaultStoreId = process.env.MP_EXTERNAL_STORE_ID;
const notificationUrl = process.env.PUBLIC_WEBHOOK_URL ?? '';

interface OrderItem {
  title: string;
  unitPrice: number;
  quantity: number;
  unitMeasure: string;
  totalAmount: number;
}

interface OrderBody {
  externalReference: string;
  externalStoreId?: string;
  title: string;
  totalAmount: number;
  items: OrderItem[];
}

export const handler = async (event: Event): Promise<Result> => {
  const posId = event.pathParameters?.externalPosId;
  let body: OrderBody;
  try {
    body = JSON.parse(event.body ?? '') as OrderBody;
  } catch {
    return problem(400, 'VALIDATION_ERROR');
  }
  const storeId = body.externalStoreId ?? defaultStoreId;
  if (!posId || !storeId || typeof body.externalReference !== 'string' || !Array.isArray(body.items))
    return problem(400, 'VALIDATION_ERROR');

  const key = { pk: { S: `QR_ORDER#${body.externalReference}` }, sk: { S: 'QR_ORDER' } };
  const existing = await dynamo.send(
    new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  if (existing.Item?.status?.S === 'paid') return problem(422, 'VALIDATION_ERROR');

  const now = Date.now();
  const expiresAt = new Date(now + TTL_SECONDS * 1000).toISOString();
  const put = await mercadoPago(
    'PUT',
    `/instore/qr/seller/collectors/${userId}/stores/${storeId}/pos/${posId}/orders`,
    {
      external_reference: body.externalReference,
      title: body.title,
      description: body.title,
      notification_url: notificationUrl,
      total_amount: body.totalAmount,
      expiration_date: expiresAt,
      items: body.items.map((item) => ({
        title: item.title,
        unit_price: item.unitPrice,
        quantity: item.quantity,
        unit_measure: item.unitMeasure,
        total_amount: item.totalAmount,
      })),
    },
    {
      'x-idempotency-key': uuidFrom(`qr:${userId}:${posId}:${body.externalReference}:${now}`),
      'x-ttl-store-preference': String(TTL_SECONDS),
    },
  );
  if (put.status < 200 || put.status > 299) return problem(502, 'UPSTREAM_ERROR');

  await dynamo.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        ...key,
        externalPosId: { S: posId },
        status: { S: 'open' },
        totalAmount: { N: String(body.totalAmount) },
        expiresAt: { S: expiresAt },
      },
    }),
  );
  return answer(201, {
    externalPosId: posId,
    externalReference: body.externalReference,
    status: 'open',
    expiresAt,
  });
};
