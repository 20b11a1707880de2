/**
 * Processing a payment never moves a state backwards: a read older than what is stored is read again, and a
 * write that lost a race is redone from fresh reads of both the ledger and the payment.
 */
import { describe, expect, it } from 'vitest';
import type { EventPublisher } from '../../functions/shared/events/publisher.ts';
import type { OutEvent } from '../../functions/shared/events/types.ts';
import type { PaymentLedger } from '../../functions/shared/ledger/types.ts';
import { createLogger } from '../../functions/shared/logger.ts';
import type { MercadoPagoClient, MpPayment, MpRefund } from '../../functions/shared/mercadopago/types.ts';
import { applyPayment } from '../../functions/shared/notifications/apply-payment.ts';
import type { ProcessingDeps } from '../../functions/shared/notifications/deps.ts';
import { syncPayment } from '../../functions/shared/notifications/process-payment.ts';
import type { LedgerStore } from '../../functions/shared/storage/ledger-store.ts';

const NOW = '2025-03-20T21:20:41.512Z';
const log = createLogger({ level: 'error', sink: () => undefined });

const mpRefund = (status: string): MpRefund => ({
  id: '900',
  paymentId: '42',
  amount: 10,
  status,
  dateCreated: NOW,
});

const payment = (refunds: MpRefund[], status = 'approved'): MpPayment => ({
  id: '42',
  status,
  statusDetail: refunds.length ? 'partially_refunded' : 'accredited',
  currencyId: 'BRL',
  transactionAmount: 100,
  transactionAmountRefunded: 0,
  dateCreated: NOW,
  dateApproved: NOW,
  dateLastUpdated: NOW,
  collectorId: '7',
  inPerson: false,
  merchantOrderId: null,
  externalReference: null,
  refunds,
});

const settledLedger = (): PaymentLedger => {
  const synced = applyPayment(undefined, payment([mpRefund('approved')]), NOW, 'mercadopago', () => 'rf_ext');
  return { ...synced.ledger, version: 1 };
};

/** A ledger store in memory, optionally losing the first `conflicts` saves to a concurrent writer. */
const memoryStore = (initial: PaymentLedger | undefined, conflicts = 0): LedgerStore & { saves: number } => {
  let stored = initial;
  let lose = conflicts;
  const store = {
    saves: 0,
    async get(_paymentId: string) {
      return stored && structuredClone(stored);
    },
    async save(ledger: PaymentLedger) {
      if (lose > 0) {
        lose--;
        return null;
      }
      if ((stored?.version ?? 0) !== ledger.version) return null;
      store.saves++;
      stored = { ...structuredClone(ledger), version: ledger.version + 1 };
      return structuredClone(stored);
    },
    async listPending() {
      return { paymentIds: [] };
    },
  };
  return store;
};

const depsWith = (
  store: LedgerStore,
  reads: MpPayment[],
): ProcessingDeps & { reads: number; published: OutEvent[] } => {
  const published: OutEvent[] = [];
  const publisher: EventPublisher = { publish: async (events) => void published.push(...events) };
  const deps = {
    reads: 0,
    published,
    mercadoPago: {
      getPayment: async () => {
        const next = reads[Math.min(deps.reads, reads.length - 1)]!;
        deps.reads++;
        return next;
      },
    } as unknown as MercadoPagoClient,
    ledgers: store,
    qrOrders: { get: async () => undefined, markStatus: async () => false },
    publisher,
    clock: { now: () => Date.parse(NOW) },
    newId: (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2)}`,
    userId: '7',
  };
  return deps;
};

describe('stale reads', () => {
  it('a read showing a settled refund still in process changes nothing', () => {
    const result = applyPayment(
      settledLedger(),
      payment([mpRefund('in_process')]),
      NOW,
      'mercadopago',
      () => 'x',
    );
    expect(result.changed).toBe(false);
    expect(result.ledger.refunds[0]?.status).toBe('succeeded');
    expect(result.events).toEqual([]);
  });

  it('writes and publishes nothing on a stale read', async () => {
    const store = memoryStore(settledLedger());
    const deps = depsWith(store, [payment([mpRefund('in_process')])]);
    const result = await syncPayment(deps, '42', { log, by: 'mercadopago' });
    expect(result.outcome).toBe('unchanged');
    expect(store.saves).toBe(0);
    expect(deps.published).toEqual([]);
    expect((await store.get('42'))?.refunds[0]?.status).toBe('succeeded');
  });
});

describe('conflicts', () => {
  it('redoes a lost write from fresh reads of the ledger and the payment, and publishes once', async () => {
    const store = memoryStore(undefined, 2);
    const deps = depsWith(store, [payment([mpRefund('approved')])]);
    const result = await syncPayment(deps, '42', { log, by: 'mercadopago' });
    expect(result.outcome).toBe('updated');
    expect(deps.reads).toBe(3);
    expect(store.saves).toBe(1);
    expect(deps.published.map((e) => e.detailType)).toEqual(['Refund Succeeded']);
  });

  it('keeps a tracked payment up to date whatever its collector says', async () => {
    const store = memoryStore(settledLedger());
    const deps = depsWith(store, [
      { ...payment([mpRefund('approved')]), collectorId: '8', status: 'refunded' },
    ]);
    const result = await syncPayment(deps, '42', { log, by: 'mercadopago' });
    expect(result.outcome).toBe('updated');
    expect((await store.get('42'))?.status).toBe('refunded');
  });

  it('ignores untracked payments of another collector and does not store payments without refunds', async () => {
    const store = memoryStore(undefined);
    const other = depsWith(store, [{ ...payment([mpRefund('approved')]), collectorId: '8' }]);
    expect((await syncPayment(other, '42', { log, by: 'mercadopago' })).outcome).toBe('other_seller');
    const untracked = depsWith(store, [payment([])]);
    expect((await syncPayment(untracked, '42', { log, by: 'mercadopago' })).outcome).toBe('untracked');
    expect(store.saves).toBe(0);
  });
});
