/**
 * One round trip and nothing else, to price the round trips a request makes: `dynamodb` is one strongly
 * consistent GetItem (of a key that does not exist) with the baseline's client, `mercadopago` one
 * GET /v1/payments/{id} with its undici agent. Timed warm beside the refund handlers (warm.ts).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamo, mercadoPago, tableName } from './common.ts';

export interface RoundTripEvent {
  kind: 'dynamodb' | 'mercadopago';
  paymentId: string;
}

export const handler = async (event: RoundTripEvent): Promise<{ statusCode: number }> => {
  if (event.kind === 'dynamodb') {
    await dynamo.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `PROBE#${event.paymentId}` }, sk: { S: 'PROBE' } },
        ConsistentRead: true,
      }),
    );
    return { statusCode: 200 };
  }
  const answer = await mercadoPago('GET', `/v1/payments/${event.paymentId}`);
  return { statusCode: answer.status };
};
