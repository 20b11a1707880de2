/**
 * Where reconciliation's sweep of the refunds-by-day index stopped: one item (`SWEEP#REFUNDS`), an attribute
 * per shard holding the position (`<createdAt>#<refund id>`) of the last refund swept there. Positions move
 * forward only (conditional updates), so concurrent runs never move a shard back.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SweepCursorStore } from '../../ports/refund-index.ts';
import { isConditionFailure } from './client.ts';
import { KeyPrefix, TableKeys } from './table.ts';

const CURSOR_KEY: Record<string, AttributeValue> = {
  [TableKeys.partitionKey]: { S: KeyPrefix.refundSweep },
  [TableKeys.sortKey]: { S: 'CURSOR' },
};

const attributeOf = (shard: number): string => `shard${String(shard).padStart(2, '0')}`;

export const createSweepCursorStore = (client: DynamoDBClient, tableName: string): SweepCursorStore => ({
  async read() {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: CURSOR_KEY, ConsistentRead: true }),
    );
    const positions = new Map<number, string>();
    for (const [name, value] of Object.entries(result.Item ?? {})) {
      const match = /^shard(\d+)$/.exec(name);
      if (match?.[1] !== undefined && value.S !== undefined) positions.set(Number(match[1]), value.S);
    }
    return positions;
  },

  async advance(positions) {
    const update = async (entries: [number, string][]): Promise<boolean> => {
      const names: Record<string, string> = {};
      const values: Record<string, AttributeValue> = {};
      const sets: string[] = [];
      const conditions: string[] = [];
      for (const [index, [shard, position]] of entries.entries()) {
        names[`#s${index}`] = attributeOf(shard);
        values[`:p${index}`] = { S: position };
        sets.push(`#s${index} = :p${index}`);
        conditions.push(`(attribute_not_exists(#s${index}) OR #s${index} < :p${index})`);
      }
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: CURSOR_KEY,
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: conditions.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    };
    const entries = [...positions.entries()];
    if (entries.length === 0 || (await update(entries))) return;
    // A concurrent run is further along in some shard: each shard on its own (those ahead stay).
    if (entries.length > 1) for (const entry of entries) await update([entry]);
  },
});
