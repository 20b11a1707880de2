/** The due-work index's keys: spread so that no partition is written by every refund (bench/README.md). */
import { describe, expect, it } from 'vitest';
import { DUE_INDEX_SHARDS, dueIndexPartition, dueShardOf } from '../../functions/adapters/dynamodb/table.ts';

describe('due-work index shards', () => {
  it('spreads consecutive payment ids and order ids evenly over the shards', () => {
    const ids = [
      ...Array.from({ length: 16_000 }, (_, i) => String(21_000_000_001 + i)),
      ...Array.from({ length: 16_000 }, (_, i) => `ORD01JA${String(i).padStart(19, '0')}`),
    ];
    const counts = new Array<number>(DUE_INDEX_SHARDS).fill(0);
    for (const id of ids) counts[dueShardOf(id)] = (counts[dueShardOf(id)] ?? 0) + 1;
    const mean = ids.length / DUE_INDEX_SHARDS;
    expect(Math.min(...counts)).toBeGreaterThan(mean * 0.85);
    expect(Math.max(...counts)).toBeLessThan(mean * 1.15);
  });

  it('is stable and names one of the shard partitions', () => {
    expect(dueShardOf('21000000001')).toBe(dueShardOf('21000000001'));
    expect(dueIndexPartition(dueShardOf('21000000001'))).toMatch(/^DUE#\d\d$/);
    expect(DUE_INDEX_SHARDS).toBe(32);
  });
});
