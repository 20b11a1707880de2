/**
 * Findings of a review (regression tests): ledgers stored by the previous code (test/fixtures/stored-items-v1.json) after the upgrade.
 */
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReconcile } from '../../functions/reconcile/run.ts';
import stored from '../fixtures/stored-items-v1.json' with { type: 'json' };
import { reconcileWith } from '../refunds/support.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  for (const item of stored as unknown as Record<string, AttributeValue>[]) {
    await h.dynamo.send(new PutItemCommand({ TableName: h.tableName, Item: item }));
  }
});

afterAll(async () => {
  await h.close();
});

describe('v1 ledgers with pending work after the upgrade', () => {
  it('the migrated ledger still holds its pending refund (the model reads it)', async () => {
    const ledger = await h.ledgers.get('21000000001');
    expect(ledger!.refunds.filter((r) => r.status === 'pending').map((r) => r.id)).toEqual([
      'rf_01M8S2KH3D1J73AQG9W20Q9337',
    ]);
    expect(ledger!.schedule).toBeDefined();
  });

  it('is found by the due-work index that reconciliation reads (its pending refund must be re-checked)', async () => {
    const far = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const ids: string[] = [];
    for await (const due of h.ledgers.due(far)) ids.push(due.id);
    // Before the fix: []. The v1 item carries the old index attributes (gsi1pk = "PENDING"), the new code queries
    // only gsi1pk = "DUE#00".."DUE#31": nothing re-writes the item, so its pending refund is never re-sent,
    // never settled by rule 3 and never listed as overdue, unless a notification or a request touches it.
    expect(ids).toContain('21000000001');
  });

  it('a reconciliation run looks at it', async () => {
    const at = Date.now() + 86_400_000;
    const report = await runReconcile(reconcileWith(h, at), { log: quietLogger, deadline: at + 30_000 });
    expect(report.seen).toBeGreaterThanOrEqual(1);
  });
});
