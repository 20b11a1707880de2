/**
 * The bench's billing rules (bench/dynamo-usage.ts): item sizes, write units from the larger of the item
 * before and after, and index writes by key and projection, as the DynamoDB Developer Guide states them.
 */
import { describe, expect, it } from 'vitest';
import {
  type Item,
  indexWritesOf,
  itemSize,
  readUnitsOf,
  type TableSchema,
  totalsOf,
  writeRecord,
  writeUnitsOf,
} from '../../bench/dynamo-usage.ts';

const table = (projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE', include: string[] = []): TableSchema => ({
  name: 't',
  keys: ['pk', 'sk'],
  indexes: [{ name: 'gsi1', keys: ['gsi1pk', 'gsi1sk'], projection, include }],
});

const ledger = (docBytes: number, due?: string): Item => ({
  pk: { S: 'PAYMENT#1' },
  sk: { S: 'LEDGER' },
  doc: { S: 'x'.repeat(docBytes) },
  ...(due === undefined ? {} : { gsi1pk: { S: 'DUE#07' }, gsi1sk: { S: `${due}#1` } }),
});

describe('item size', () => {
  it('counts names and values: strings in UTF-8 bytes, numbers by significant digits', () => {
    expect(itemSize({ a: { S: 'héllo' } })).toBe(1 + 6);
    expect(itemSize({ n: { N: '100' } })).toBe(1 + 2);
    expect(itemSize({ n: { N: '123456' } })).toBe(1 + 4);
    expect(itemSize({ b: { BOOL: true }, z: { NULL: true } })).toBe(4);
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemSize({ b: { B: Buffer.from('abcd').toString('base64') } })).toBe(1 + 4);
  });

  it('bills writes per started KB and reads per started 4 KB (half when eventually consistent)', () => {
    expect(writeUnitsOf(0)).toBe(1);
    expect(writeUnitsOf(1024)).toBe(1);
    expect(writeUnitsOf(1025)).toBe(2);
    expect(readUnitsOf(0, true)).toBe(1);
    expect(readUnitsOf(0, false)).toBe(0.5);
    expect(readUnitsOf(4097, true)).toBe(2);
  });
});

describe('writes', () => {
  it('bills an update by the larger of the item before and after it', () => {
    const record = writeRecord({
      table: table('KEYS_ONLY'),
      operation: 'UpdateItem',
      key: { pk: { S: 'PAYMENT#1' }, sk: { S: 'LEDGER' } },
      before: ledger(3000),
      after: ledger(100),
      failed: false,
    });
    expect(record.tableUnits).toBe(3);
    expect(record.category).toBe('ledger');
  });

  it('bills a failed conditional write by the larger of the existing item and the item sent, with no index write', () => {
    const record = writeRecord({
      table: table('ALL'),
      operation: 'PutItem',
      key: { pk: { S: 'PAYMENT#1' }, sk: { S: 'LEDGER' } },
      before: ledger(1500, '2026-01-01T00:00:00.000Z'),
      after: ledger(1500, '2026-01-01T00:00:00.000Z'),
      failed: true,
      sent: ledger(100, '2026-01-02T00:00:00.000Z'),
    });
    expect(record.tableUnits).toBe(2);
    expect(record.indexWrites).toEqual({});
  });

  it('doubles transactional writes', () => {
    const record = writeRecord({
      table: table('KEYS_ONLY'),
      operation: 'PutItem',
      key: { pk: { S: 'IDEMPOTENCY#k' }, sk: { S: 'IDEMPOTENCY' } },
      before: undefined,
      after: { pk: { S: 'IDEMPOTENCY#k' }, sk: { S: 'IDEMPOTENCY' } },
      failed: false,
      transactional: true,
    });
    expect(record.tableUnits).toBe(2);
  });
});

describe('index writes', () => {
  it('puts an item that gains the index key, deletes one that loses it, nothing when never in the index', () => {
    expect(indexWritesOf(table('ALL'), undefined, ledger(2000, 'a'))).toEqual({
      gsi1: { writes: 1, units: 2 },
    });
    expect(indexWritesOf(table('ALL'), ledger(2000, 'a'), ledger(2000))).toEqual({
      gsi1: { writes: 1, units: 2 },
    });
    expect(indexWritesOf(table('ALL'), ledger(2000), ledger(3000))).toEqual({});
  });

  it('deletes and puts when the index key changes', () => {
    expect(indexWritesOf(table('KEYS_ONLY'), ledger(2000, 'a'), ledger(2000, 'b'))).toEqual({
      gsi1: { writes: 2, units: 2 },
    });
  });

  it('updates when a projected attribute changes, not when only an unprojected one does', () => {
    expect(indexWritesOf(table('ALL'), ledger(2000, 'a'), ledger(2100, 'a'))).toEqual({
      gsi1: { writes: 1, units: 3 },
    });
    expect(indexWritesOf(table('KEYS_ONLY'), ledger(2000, 'a'), ledger(2100, 'a'))).toEqual({});
    expect(indexWritesOf(table('INCLUDE', ['doc']), ledger(2000, 'a'), ledger(2100, 'a'))).toEqual({
      gsi1: { writes: 1, units: 3 },
    });
  });

  it('sizes index entries from the projected attributes only', () => {
    // KEYS_ONLY: table keys and index keys, well under 1 KB whatever the document.
    expect(indexWritesOf(table('KEYS_ONLY'), undefined, ledger(5000, 'a'))).toEqual({
      gsi1: { writes: 1, units: 1 },
    });
  });

  it('adds index units and counts to the totals by index', () => {
    const totals = totalsOf({
      requests: { PutItem: 1 },
      reads: [],
      writes: [
        writeRecord({
          table: table('ALL'),
          operation: 'PutItem',
          key: { pk: { S: 'PAYMENT#1' }, sk: { S: 'LEDGER' } },
          before: undefined,
          after: ledger(1500, 'a'),
          failed: false,
        }),
      ],
    });
    expect(totals).toMatchObject({
      writeUnits: 4,
      tableWriteUnits: 2,
      indexWriteUnits: 2,
      writeUnitsByCategory: { ledger: 2, 'index gsi1': 2 },
      writesByCategory: { ledger: 1, 'index gsi1': 1 },
    });
  });
});
