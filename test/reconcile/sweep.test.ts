/**
 * The sweep of new refunds (operations/sweep-new-refunds.ts): a ledger whose only pending work is refunds of
 * ours this new is kept out of the due-work index, and reconciliation finds the ones still pending through
 * the refunds-by-day index. What must never happen: a refund whose function died, or whose outcome stayed
 * unknown, that no reconciliation run ever looks at again.
 */
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKey } from '../../functions/adapters/dynamodb/ledger-store.ts';
import { refundIndexItem } from '../../functions/adapters/dynamodb/refund-index.ts';
import { fnv1a, REFUND_INDEX_SHARDS, TableKeys } from '../../functions/adapters/dynamodb/table.ts';
import { caller, MERCADOPAGO } from '../../functions/model/actor.ts';
import { newId } from '../../functions/model/ids.ts';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import { applyPaymentRead } from '../../functions/model/ledger/payment-read.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import { isOurs, type Ledger } from '../../functions/model/ledger/types.ts';
import { ruleContext } from '../../functions/operations/deps.ts';
import { syncPayment } from '../../functions/operations/sync-payment.ts';
import type { LedgerStore } from '../../functions/ports/ledger-store.ts';
import { runReconcile } from '../../functions/reconcile/run.ts';
import { payment } from '../model/builders.ts';
import { daysAgo, reconcileWith, refundApi, refundCalls } from '../refunds/support.ts';
import { type Harness, quietLogger, startHarness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const approved = (amount: number) =>
  h.sandbox.createPayment({ status: 'approved', amount, currency: 'BRL', dateApproved: daysAgo(1) });

/** The ledger item's due-index attributes (absent: the ledger is not in the index). */
const dueIndexOf = async (paymentId: string) => {
  const item = await h.dynamo.send(
    new GetItemCommand({ TableName: h.tableName, Key: ledgerKey(paymentId), ConsistentRead: true }),
  );
  return item.Item?.[TableKeys.pendingIndexPartitionKey]?.S;
};

/** The ledger store, counting its reads and writes. */
const counting = () => {
  const counts = { get: 0, peekMany: 0, save: 0 };
  const ledgers: LedgerStore = {
    ...h.ledgers,
    get: (id) => {
      counts.get++;
      return h.ledgers.get(id);
    },
    getMany: (ids) => {
      counts.peekMany += ids.length;
      return h.ledgers.getMany(ids);
    },
    save: (ledger, events) => {
      counts.save++;
      return h.ledgers.save(ledger, events);
    },
  };
  return { ledgers, counts };
};

/** A reconciliation run with its clock `offsetMs` ahead, over the counting store. */
const reconcileAt = (offsetMs: number, ledgers: LedgerStore = h.ledgers) => {
  const at = Date.now() + offsetMs;
  return runReconcile(reconcileWith(h, at, { ledgers }), { log: quietLogger, deadline: at + 20_000 });
};

/** A refund whose function dies in the middle of its call (Mercado Pago never answers it); its entry. */
const dyingRefund = async (paymentId: string, amount: number) => {
  const dying = refundApi(h, {
    mercadoPago: { ...h.mercadoPago, createRefund: () => new Promise<never>(() => undefined) },
  });
  void dying.refund(paymentId, { amount }, `dies-${paymentId}-${amount}`);
  for (let i = 0; i < 200; i++) {
    const entry = (await h.ledgers.get(paymentId))?.refunds.find((e) => e.amountMinor === amount * 100);
    if (entry) return entry;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the reservation was never stored');
};

/** A day-index item pointing at `paymentId` for a refund its ledger does not hold (a write that lost). */
const orphanPointer = async (paymentId: string, refundId: string, createdAt: string) => {
  await h.dynamo.send(
    new PutItemCommand(refundIndexItem(h.tableName, paymentId, { id: refundId, createdAt })),
  );
};

describe('the sweep of new refunds', () => {
  it('a refund settled at once never enters the due index; the sweep reads it once and writes nothing', async () => {
    const paymentId = approved(100);
    const api = refundApi(h);
    const res = await api.refund(paymentId, { amount: 10 });
    expect(res.status).toBe(201);
    expect(await dueIndexOf(paymentId)).toBeUndefined();

    const { ledgers, counts } = counting();
    const report = await reconcileAt(130_000, ledgers);
    expect(report.swept).toBeGreaterThanOrEqual(1);
    expect(report.handedOver).toBe(0);
    // Shown settled by the eventually consistent read: final, nothing more read or written.
    expect(counts.save).toBe(0);
    expect(counts.get).toBe(0);
    // The next run starts where this one stopped: none of those refunds is read again.
    const again = await reconcileAt(131_000, ledgers);
    expect(again.swept).toBe(0);
  });

  it('a function that died in the middle of its call: its refund is out of every index, and the sweep finds it and re-sends it with its own key', async () => {
    const paymentId = approved(100);
    // The function dies during its call: Mercado Pago never answers it, and nothing after the call runs.
    const dying = refundApi(h, {
      mercadoPago: { ...h.mercadoPago, createRefund: () => new Promise<never>(() => undefined) },
    });
    void dying.refund(paymentId, { amount: 30 }, `dies-${paymentId}`);
    let reserved: Ledger | undefined;
    for (let i = 0; i < 200 && !reserved?.refunds.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      reserved = await h.ledgers.get(paymentId);
    }
    const entry = reserved?.refunds[0];
    expect(entry?.status).toBe('pending');
    expect(reserved?.schedule?.leftToSweepUntil).toEqual(expect.any(String));
    expect(await dueIndexOf(paymentId)).toBeUndefined();
    expect(refundCalls(h, paymentId)).toHaveLength(0);

    // Before RECONCILE_PENDING_AFTER_SECONDS the sweep has not reached it (its call may still be running).
    expect((await reconcileAt(60_000)).handedOver).toBe(0);
    expect(refundCalls(h, paymentId)).toHaveLength(0);

    const report = await reconcileAt(130_000);
    expect(report).toMatchObject({ handedOver: 1, resent: 1, settled: 1, failed: 0 });
    const calls = refundCalls(h, paymentId);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.idempotencyKey).toBe(mercadoPagoRefundKey(entry as never));
    const after = await h.ledgers.get(paymentId);
    expect(after?.refunds[0]).toMatchObject({ status: 'succeeded', amountMinor: 3000 });
    expect(after?.schedule).toBeUndefined();
    expect(h.sandbox.refundsOf(paymentId)).toHaveLength(1);
  });

  it('an unknown outcome stays found: the hand-over puts the ledger in the due index, and marks the refund so no later write takes it out', async () => {
    const paymentId = approved(100);
    h.sandbox.loseAnswer({
      method: 'POST',
      path: new RegExp(`/v1/payments/${paymentId}/refunds$`),
      times: 20,
    });
    const api = refundApi(h);
    const res = await api.refund(paymentId, { amount: 5 }, `unknown-${paymentId}`);
    expect(res.status).toBe(202);
    expect(await dueIndexOf(paymentId)).toBeUndefined();
    // Mercado Pago keeps failing: the hand-over happens, the check fails, the ledger stays in the index.
    h.sandbox.loseAnswer({ method: 'GET', path: new RegExp(`/v1/payments/${paymentId}$`), times: 100 });
    const report = await reconcileAt(130_000);
    expect(report.handedOver).toBe(1);
    expect(await dueIndexOf(paymentId)).toMatch(/^DUE#/);
    const marked = await h.ledgers.get(paymentId);
    const refund = marked?.refunds.find(isOurs);
    expect(refund?.sweptPending).toBe(true);
    expect(marked?.schedule?.leftToSweepUntil).toBeUndefined();
    await h.sandbox.resetFaults();

    // A later run (from the due index) re-sends it with its key: Mercado Pago answers the refund it made.
    const settled = await reconcileAt(130_000 + 3 * 60_000);
    expect(settled.settled).toBe(1);
    expect((await h.ledgers.get(paymentId))?.refunds[0]?.status).toBe('succeeded');
  });

  it('a refund written in the index by a write that lost its race (no such refund stored) is passed over', async () => {
    const paymentId = approved(100);
    const api = refundApi(h);
    expect((await api.refund(paymentId, { amount: 1 })).status).toBe(201);
    // An index item whose ledger write never happened.
    await orphanPointer(paymentId, 'rf_never_stored', new Date().toISOString());
    const { ledgers, counts } = counting();
    const report = await reconcileAt(130_000, ledgers);
    expect(report.handedOver).toBe(0);
    expect(report.failed).toBe(0);
    // Not shown by the eventually consistent read: read again consistently before passing it over.
    expect(counts.get).toBe(1);
    expect(counts.save).toBe(0);
  });
  it('a ledger with an index item of a lost write in every shard still has its pending refund handed over', async () => {
    const paymentId = approved(100);
    // Items of writes that lost their race, one in each shard, created before the refund that stayed.
    const before = new Date(Date.now() - 1_000).toISOString();
    const covered = new Set<number>();
    for (let i = 0; covered.size < REFUND_INDEX_SHARDS; i++) {
      const id = `rf_lost_${i}`;
      const shard = fnv1a(id) % REFUND_INDEX_SHARDS;
      if (covered.has(shard)) continue;
      covered.add(shard);
      await orphanPointer(paymentId, id, before);
    }
    const entry = await dyingRefund(paymentId, 12);
    expect(await dueIndexOf(paymentId)).toBeUndefined();
    const report = await reconcileAt(130_000);
    expect(report).toMatchObject({ handedOver: 1, resent: 1, settled: 1, failed: 0 });
    expect((await h.ledgers.get(paymentId))?.refunds.find((e) => e.id === entry.id)?.status).toBe(
      'succeeded',
    );
  });

  it('a ledger that cannot be read stops its shard where it is: the next run decides it, and nothing after it is lost', async () => {
    const paymentId = approved(100);
    await dyingRefund(paymentId, 7);
    const unreadable: LedgerStore = {
      ...h.ledgers,
      get: async (id) => {
        if (id === paymentId) throw new Error('throttled');
        return h.ledgers.get(id);
      },
    };
    const failing = await reconcileAt(130_000, unreadable);
    expect(failing.failed).toBeGreaterThanOrEqual(1);
    expect(failing.handedOver).toBe(0);
    expect(await dueIndexOf(paymentId)).toBeUndefined();
    const next = await reconcileAt(131_000);
    expect(next).toMatchObject({ handedOver: 1, settled: 1, failed: 0 });
    expect((await h.ledgers.get(paymentId))?.refunds[0]?.status).toBe('succeeded');
  });
});

describe('the store, left out or not', () => {
  it('judges the window by its own clock when it writes: a write made late (its environment frozen) indexes the ledger', async () => {
    const paymentId = '29000000001';
    // The rule ran a minute ago (its clock said the refund was new); the write happens only now.
    const then = Date.now() - 60_000;
    const at = { ...reconcileWith(h, then), by: MERCADOPAGO };
    const context = ruleContext(at, caller('merchant'));
    const read = applyPaymentRead(
      undefined,
      {
        facts: payment({
          id: paymentId,
          dateCreated: new Date(then - 86_400_000).toISOString(),
          dateApproved: new Date(then - 86_400_000).toISOString(),
        }),
        at: context.now,
      },
      context,
    );
    const reservation = reserveRefund(
      read.ledger!,
      {
        refundId: 'rf_late',
        amount: 500,
        idempotencyKey: 'late',
        fingerprint: 'fp',
        lockUntil: new Date(then + 27_000).toISOString(),
      },
      { windowDays: 90, approvedAt: null },
      context,
    );
    expect(reservation.ledger?.schedule?.leftToSweepUntil).toEqual(new Date(then + 30_000).toISOString());
    expect(await h.ledgers.save(reservation.ledger!, [...read.events, ...reservation.events])).not.toBeNull();
    expect(await dueIndexOf(paymentId)).toMatch(/^DUE#/);
  });
});

describe('the sweep cursor', () => {
  it('moves shards forward only: a slower run never moves back one a faster run moved on', async () => {
    const cursors = h.refundSweep.cursors;
    await cursors.advance(new Map([[40, '2026-01-01T00:00:02.000Z#rf_b']]));
    // A slower run: behind on shard 40, ahead on shard 41. One write fails its condition, then each shard alone.
    await cursors.advance(
      new Map([
        [40, '2026-01-01T00:00:01.000Z#rf_a'],
        [41, '2026-01-01T00:00:03.000Z#rf_c'],
      ]),
    );
    const positions = await cursors.read();
    expect(positions.get(40)).toBe('2026-01-01T00:00:02.000Z#rf_b');
    expect(positions.get(41)).toBe('2026-01-01T00:00:03.000Z#rf_c');
  });
});

describe("a notification's read of the ledger", () => {
  const syncOf = async (paymentId: string) => {
    const calls = { peek: 0, get: 0 };
    const ledgers: LedgerStore = {
      ...h.ledgers,
      peek: (id) => {
        calls.peek++;
        return h.ledgers.peek(id);
      },
      get: (id) => {
        calls.get++;
        return h.ledgers.get(id);
      },
    };
    const sync = await syncPayment(
      { ledgers, clock: h.clock, newId, settings: h.settings, mercadoPago: h.mercadoPago },
      paymentId,
      { by: MERCADOPAGO, log: quietLogger, peekFirst: true },
    );
    return { sync, calls };
  };

  it('is eventually consistent when it shows nothing pending, and read again consistently when it shows pending work', async () => {
    const settled = approved(100);
    expect((await refundApi(h).refund(settled, { amount: 3 })).status).toBe(201);
    const quiet = await syncOf(settled);
    expect(quiet.calls).toEqual({ peek: 1, get: 0 });
    expect(quiet.sync).toMatchObject({ kind: 'synced', written: false });

    const pending = approved(100);
    await dyingRefund(pending, 4);
    const busy = await syncOf(pending);
    expect(busy.calls).toEqual({ peek: 1, get: 1 });

    // No ledger yet: read again consistently before deciding the payment is untracked.
    const untracked = approved(100);
    const none = await syncOf(untracked);
    expect(none.calls).toEqual({ peek: 1, get: 1 });
    expect(none.sync.kind).toBe('untracked');
  });
});
