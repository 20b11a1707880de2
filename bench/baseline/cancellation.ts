/**
 * Bare cancellation handler: POST /payments/{paymentId}/cancellation with an Idempotency-Key, with the
 * project's calls: one BatchGetItem (key + ledger), the key claimed, the payment read, the attempt recorded
 * in the ledger, Mercado Pago's cancel call, the ledger settled, the answer stored on the key.
 */
import { BatchGetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  answer,
  dynamo,
  type Event,
  idempotencyKey,
  isConditionFailure,
  ledgerFrom,
  ledgerKey,
  mercadoPago,
  problem,
  publishLine,
  type Result,
  saveLedger,
  tableName,
  toMinor,
  uuidFrom,
} from './common.ts';

export const handler = async (event: Event): Promise<Result> => {
  const paymentId = event.pathParameters?.paymentId;
  const key = event.headers['idempotency-key'];
  if (!paymentId || !key) return problem(400, 'VALIDATION_ERROR');

  const keyItem = idempotencyKey(key);
  const read = await dynamo.send(
    new BatchGetItemCommand({
      RequestItems: { [tableName]: { Keys: [keyItem, ledgerKey(paymentId)], ConsistentRead: true } },
    }),
  );
  const items = read.Responses?.[tableName] ?? [];
  const known = items.find((item) => item.pk?.S === keyItem.pk!.S);
  let ledger = ledgerFrom(items.find((item) => item.pk?.S === `PAYMENT#${paymentId}`));
  if (known?.response?.S)
    return { ...(JSON.parse(known.response.S) as Result), headers: { 'idempotent-replayed': 'true' } };
  if (known) return problem(409, 'REFUND_IN_PROGRESS');

  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...keyItem, doc: { S: JSON.stringify({ paymentId, route: 'cancellation' }) } },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return problem(409, 'REFUND_IN_PROGRESS');
    throw error;
  }

  const payment = await mercadoPago('GET', `/v1/payments/${paymentId}`);
  if (payment.status === 404) return problem(404, 'PAYMENT_NOT_FOUND');
  if (payment.status !== 200 || !payment.json) return problem(502, 'UPSTREAM_ERROR');
  if (payment.json.status !== 'pending' && payment.json.status !== 'in_process')
    return problem(422, 'PAYMENT_NOT_CANCELLABLE');
  ledger ??= {
    paymentId,
    currency: String(payment.json.currency_id),
    totalMinor: toMinor(Number(payment.json.transaction_amount)),
    status: String(payment.json.status),
    refunds: [],
    version: 0,
  };
  ledger = await saveLedger({ ...ledger, cancellation: { status: 'pending', key } });

  const cancelled = await mercadoPago(
    'PUT',
    `/v1/payments/${paymentId}`,
    { status: 'cancelled' },
    { 'x-idempotency-key': uuidFrom(`cancel:${paymentId}:${key}`) },
  );
  if (cancelled.status !== 200 || cancelled.json?.status !== 'cancelled')
    return problem(502, 'UPSTREAM_ERROR');
  ledger = await saveLedger({ ...ledger, status: 'cancelled', cancellation: { status: 'cancelled', key } });
  publishLine('Payment Cancelled', { paymentId, status: 'cancelled', previousStatus: payment.json.status });

  const result = answer(200, {
    paymentId,
    status: 'cancelled',
    statusDetail: cancelled.json.status_detail ?? null,
  });
  await dynamo.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: keyItem,
      UpdateExpression: 'SET #response = :response',
      ExpressionAttributeNames: { '#response': 'response' },
      ExpressionAttributeValues: { ':response': { S: JSON.stringify(result) } },
    }),
  );
  return result;
};
