/**
 * Bare refund handler: POST /payments/{paymentId}/refunds with the project's calls and nothing more.
 * One BatchGetItem (key + ledger; a replay ends here), the key claimed (conditional put), the payment read,
 * the refund reserved in the ledger (conditional put), Mercado Pago's refund call, the ledger settled.
 */
import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  answer,
  type BareLedger,
  type BareRefund,
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
  sha256,
  tableName,
  toMinor,
  uuidFrom,
} from './common.ts';

const view = (ledger: BareLedger, refund: BareRefund) => ({
  id: refund.id,
  paymentId: ledger.paymentId,
  amount: refund.amountMinor / 100,
  currency: ledger.currency,
  status: refund.status,
  mercadoPagoRefundId: refund.mercadoPagoRefundId,
});

export const handler = async (event: Event): Promise<Result> => {
  const paymentId = event.pathParameters?.paymentId;
  const key = event.headers['idempotency-key'];
  if (!paymentId || !key) return problem(400, 'VALIDATION_ERROR');
  let body: { amount?: unknown };
  try {
    body = JSON.parse(event.body ?? '{}') as { amount?: unknown };
  } catch {
    return problem(400, 'VALIDATION_ERROR');
  }
  const amount = body.amount;
  if (typeof amount !== 'number' || !(amount > 0)) return problem(400, 'VALIDATION_ERROR');
  const fingerprint = sha256(JSON.stringify([paymentId, amount]));

  const keyItem = idempotencyKey(key);
  const read = await dynamo.send(
    new BatchGetItemCommand({
      RequestItems: { [tableName]: { Keys: [keyItem, ledgerKey(paymentId)], ConsistentRead: true } },
    }),
  );
  const items = read.Responses?.[tableName] ?? [];
  const known = items.find((item) => item.pk?.S === keyItem.pk!.S);
  let ledger = ledgerFrom(items.find((item) => item.pk?.S === `PAYMENT#${paymentId}`));
  if (known?.doc?.S) {
    const record = JSON.parse(known.doc.S) as { paymentId: string; fingerprint: string; refundId: string };
    if (record.paymentId !== paymentId || record.fingerprint !== fingerprint)
      return problem(422, 'IDEMPOTENCY_KEY_REUSED');
    const done = ledger?.refunds.find((refund) => refund.id === record.refundId);
    if (!ledger || !done || done.status === 'pending') return problem(409, 'REFUND_IN_PROGRESS');
    return answer(201, view(ledger, done), { 'idempotent-replayed': 'true' });
  }

  const refundId = `rf_${randomUUID()}`;
  try {
    await dynamo.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...keyItem, doc: { S: JSON.stringify({ paymentId, fingerprint, refundId }) } },
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
  if (payment.json.status !== 'approved') return problem(422, 'PAYMENT_NOT_REFUNDABLE');
  const totalMinor = toMinor(Number(payment.json.transaction_amount));
  ledger ??= {
    paymentId,
    currency: String(payment.json.currency_id),
    totalMinor,
    status: 'approved',
    refunds: [],
    version: 0,
  };
  const refunded = ledger.refunds.reduce(
    (sum, refund) => sum + (refund.status === 'failed' ? 0 : refund.amountMinor),
    0,
  );
  const amountMinor = toMinor(amount);
  if (refunded + amountMinor > totalMinor) return problem(422, 'AMOUNT_EXCEEDS_REFUNDABLE');
  const refund: BareRefund = { id: refundId, amountMinor, status: 'pending', mercadoPagoRefundId: null };
  ledger = await saveLedger({ ...ledger, refunds: [...ledger.refunds, refund] });

  const created = await mercadoPago(
    'POST',
    `/v1/payments/${paymentId}/refunds`,
    { amount },
    { 'x-idempotency-key': uuidFrom(`refund:${paymentId}:${key}`), 'x-render-in-process-refunds': 'true' },
  );
  if (created.status !== 201 && created.status !== 200) return problem(502, 'UPSTREAM_ERROR');
  const settled: BareRefund = {
    ...refund,
    status: created.json?.status === 'approved' ? 'succeeded' : 'pending',
    mercadoPagoRefundId: String(created.json?.id),
  };
  ledger = await saveLedger({
    ...ledger,
    refunds: ledger.refunds.map((r) => (r.id === refundId ? settled : r)),
  });
  if (settled.status === 'succeeded') publishLine('Refund Succeeded', view(ledger, settled));
  return answer(201, view(ledger, settled));
};
