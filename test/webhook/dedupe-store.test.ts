/** The notification dedupe store over dynalite: one conditional write takes a notification. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationDedupeStore } from '../../functions/adapters/dynamodb/dedupe-store.ts';
import type { NotificationDedupeStore } from '../../functions/ports/notification-stores.ts';
import { type Harness, startHarness } from '../support/harness.ts';

let h: Harness;
let store: NotificationDedupeStore;
beforeAll(async () => {
  h = await startHarness();
  store = createNotificationDedupeStore(h.dynamo, h.tableName);
});
afterAll(async () => h?.close());

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const LEASE = 600_000;

describe('notification dedupe', () => {
  it('takes a notification once within its lease, again after it', async () => {
    expect(await store.claim('event:a', 'run-1', NOW, LEASE)).toBe(true);
    expect(await store.claim('event:a', 'run-2', NOW + 1_000, LEASE)).toBe(false);
    expect(await store.claim('event:a', 'run-3', NOW + LEASE - 1, LEASE)).toBe(false);
    expect(await store.claim('event:a', 'run-4', NOW + LEASE + 1, LEASE)).toBe(true);
  });

  it('a release by its owner frees it at once; a release by another run changes nothing', async () => {
    expect(await store.claim('event:b', 'run-1', NOW, LEASE)).toBe(true);
    await store.release('event:b', 'someone-else');
    expect(await store.claim('event:b', 'run-2', NOW + 1, LEASE)).toBe(false);
    await store.release('event:b', 'run-1');
    expect(await store.claim('event:b', 'run-3', NOW + 2, LEASE)).toBe(true);
  });

  it('an item past its retention counts as absent (TTL deletion is lazy)', async () => {
    expect(await store.claim('event:c', 'run-1', NOW, 10 * 86_400_000)).toBe(true);
    expect(await store.claim('event:c', 'run-2', NOW + 3 * 86_400_000, LEASE)).toBe(true);
  });

  it('concurrent deliveries: exactly one takes it', async () => {
    const taken = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.claim('event:d', `run-${i}`, NOW, LEASE)),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
  });
});
