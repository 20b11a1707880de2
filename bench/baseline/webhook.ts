/**
 * Bare webhook handler, processing inline as the project does without a queue: the signature checked
 * (HMAC-SHA256 of `id:<data.id>;request-id:<x-request-id>;ts:<ts>;`), both dedupe keys claimed (the
 * delivery and the notification id), the ledger and the payment read, the ledger written with the refunds
 * Mercado Pago reports, its event written, both keys marked done.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  answer,
  type BareLedger,
  dynamo,
  type Event,
  isConditionFailure,
  ledgerFrom,
  ledgerKey,
  mercadoPago,
  problem,
  publishLine,
  type Result,
  saveLedger,
  sha256,
  tableName,
  toMinor,
} from './common.ts';

const secret = process.env.MP_WEBHOOK_SECRET ?? '';
const TOLERANCE_MS = 300_000;
const LEASE_MS = 60_000;

const validSignature = (dataId: string, requestId: string, header: string, nowMs: number): boolean => {
  const parts = Object.fromEntries(header.split(',').map((part) => part.trim().split('=', 2)));
  const ts = parts.ts ?? '';
  const v1 = parts.v1 ?? '';
  if (!/^\d+$/.test(ts) || !/^[0-9a-f]{64}$/.test(v1)) return false;
  if (Math.abs(nowMs - Number(ts) * 1000) > TOLERANCE_MS) return false;
  const expected = createHmac('sha256', secret)
    .update(`id:${dataId};request-id:${requestId};ts:${ts};`)
    .digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
};

const dedupeKey = (key: string) => ({ pk: { S: `NOTIFICATION#${key}` }, sk: { S: 'NOTIFICATION' } });

const claim = async (key: string, owner: string, nowMs: number): Promise<boolean> => {
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          ...dedupeKey(key),
          state: { S: 'processing' },
          owner: { S: owner },
          leaseUntil: { N: String(nowMs + LEASE_MS) },
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR #state = :failed OR (#state = :processing AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':failed': { S: 'failed' },
          ':processing': { S: 'processing' },
          ':now': { N: String(nowMs) },
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

const markDone = (key: string, owner: string) =>
  dynamo.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: dedupeKey(key),
      UpdateExpression: 'SET #state = :done',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
      ExpressionAttributeValues: { ':done': { S: 'done' }, ':owner': { S: owner } },
    }),
  );

interface MpRefund {
  id: number | string;
  amount: number;
  status: string;
}

export const handler = async (event: Event): Promise<Result> => {
  const dataId = event.queryStringParameters?.['data.id'];
  const requestId = event.headers['x-request-id'] ?? '';
  const nowMs = Date.now();
  if (!dataId || event.queryStringParameters?.type !== 'payment') return problem(400, 'VALIDATION_ERROR');
  if (!validSignature(dataId, requestId, event.headers['x-signature'] ?? '', nowMs))
    return problem(401, 'INVALID_SIGNATURE');
  const body = JSON.parse(event.body ?? '{}') as { id?: number; action?: string };

  const owner = `${event.requestContext.requestId}:${nowMs}`;
  const keys = [
    `request:${sha256(requestId)}`,
    `event:${sha256(JSON.stringify(['payment', body.id, body.action]))}`,
  ];
  for (const [index, key] of keys.entries()) {
    if (!(await claim(key, owner, nowMs))) {
      for (const mine of keys.slice(0, index)) await markDone(mine, owner);
      return answer(200, { status: 'duplicate' });
    }
  }

  const stored = await dynamo.send(
    new GetItemCommand({ TableName: tableName, Key: ledgerKey(dataId), ConsistentRead: true }),
  );
  const payment = await mercadoPago('GET', `/v1/payments/${dataId}`);
  if (payment.status !== 200 || !payment.json) return problem(502, 'UPSTREAM_ERROR');
  const reported = (payment.json.refunds as MpRefund[] | undefined) ?? [];
  const current = ledgerFrom(stored.Item);
  if (current || reported.length > 0) {
    const ledger: BareLedger = current ?? {
      paymentId: dataId,
      currency: String(payment.json.currency_id),
      totalMinor: toMinor(Number(payment.json.transaction_amount)),
      status: String(payment.json.status),
      refunds: [],
      version: 0,
    };
    const known = new Set(ledger.refunds.map((refund) => refund.mercadoPagoRefundId));
    const added = reported
      .filter((refund) => !known.has(String(refund.id)))
      .map((refund) => ({
        id: `rf_${refund.id}`,
        amountMinor: toMinor(refund.amount),
        status: refund.status === 'approved' ? ('succeeded' as const) : ('pending' as const),
        mercadoPagoRefundId: String(refund.id),
      }));
    if (added.length > 0 || !current) {
      await saveLedger({
        ...ledger,
        status: String(payment.json.status),
        refunds: [...ledger.refunds, ...added],
      });
      for (const refund of added) publishLine('Refund Succeeded', { paymentId: dataId, refund });
    }
  }
  for (const key of keys) await markDone(key, owner);
  return answer(200, { status: 'processed' });
};
