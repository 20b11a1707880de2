/**
 * The operations routes (functions/ops) against dynalite and the sandbox over HTTP: a refund stuck pending is
 * found (attention), understood (history), re-read (recheck) and settled by a person (resolution), published
 * like any outcome; the refusals; the known contradiction re-attributed; orders; pages; dead letters.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReconciliationStore } from '../../functions/adapters/dynamodb/reconciliation-store.ts';
import { cancellationRoutes } from '../../functions/cancellation/routes.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { type Actor, caller, MERCADOPAGO, RECONCILIATION } from '../../functions/model/actor.ts';
import { isoAt } from '../../functions/model/clock.ts';
import type { RefundFact } from '../../functions/model/facts.ts';
import type { LedgerChange } from '../../functions/model/ledger/change.ts';
import { applyPaymentRead, newLedger } from '../../functions/model/ledger/payment-read.ts';
import { beginAttempt, recordRefundCall } from '../../functions/model/ledger/refund-call.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import { type Ledger, LedgerKind } from '../../functions/model/ledger/types.ts';
import type { RuleContext } from '../../functions/model/settings.ts';
import { sqsDeadLetters } from '../../functions/ops/dead-letters.ts';
import { orderApi, paidOrder, refundsAtMercadoPago } from '../orders/support.ts';
import { startFakeAws } from '../support/fake-aws.ts';
import { type Harness, invoke, newId, quietLogger, startHarness } from '../support/harness.ts';
import { MINUTE, type MovableClock, movableClock, opsApi } from './support.ts';

let h: Harness;
let clock: MovableClock;
let api: ReturnType<typeof opsApi>;

beforeAll(async () => {
  h = await startHarness({ sandbox: { notificationsEnabled: false } });
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.clearRequests();
  h.clearEvents();
  clock = movableClock();
  api = opsApi(h, clock);
});

const OPERATOR = 'person:arn:aws:sts::123456789012:assumed-role/Admin/aamorosi';

const approved = (amount = 100) => h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount });

/** A refund whose every call is lost on the way (Mercado Pago made nothing): 202, outcome unknown. */
const stuckRefund = async (paymentId: string, amount = 10) => {
  h.sandbox.drop({ method: 'POST', path: `^/v1/payments/${paymentId}/refunds$`, times: 10 });
  const created = await api.refunds.refund(paymentId, { amount });
  expect(created.status).toBe(202);
  await h.sandbox.resetFaults();
  return created.body.id as string;
};

const itemsFor = (body: { items: { kind: string; paymentId?: string; orderId?: string }[] }, id: string) =>
  body.items.filter((item) => item.paymentId === id || item.orderId === id);

describe('a refund stuck pending', () => {
  it('is found, understood, rechecked and settled by a person; published with the resolution', async () => {
    const paymentId = approved();
    const refundId = await stuckRefund(paymentId);

    // Not yet past ATTENTION_AFTER_SECONDS: nothing for a person.
    expect(itemsFor((await api.attention()).body, paymentId)).toEqual([]);
    clock.advance(11 * MINUTE);

    const attention = await api.attention();
    expect(attention.status).toBe(200);
    expect(itemsFor(attention.body, paymentId)).toEqual([
      {
        kind: 'refund_pending_too_long',
        paymentId,
        refundId,
        since: expect.any(String),
        detail: expect.stringContaining('re-send window has passed'),
        suggestedAction: expect.stringContaining(`npm run ops -- resolve ${paymentId} ${refundId} failed`),
      },
    ]);

    const history = await api.history(`/payments/${paymentId}`);
    expect(history.status).toBe(200);
    expect(history.body.paymentId).toBe(paymentId);
    expect(history.body.changes.map((c: { change: string }) => c.change)).toEqual(
      expect.arrayContaining(['status_recorded', 'refund_reserved', 'refund_outcome_unknown']),
    );
    expect(history.body.changes[0]).toMatchObject({ at: expect.any(String), by: expect.any(String) });
    expect(history.body.nextCursor).toBeUndefined();

    // A recheck re-reads Mercado Pago: it made nothing, the window has passed, nothing is re-sent.
    h.sandbox.clearRequests();
    const rechecked = await api.recheck(`/payments/${paymentId}`);
    expect(rechecked.status).toBe(200);
    expect(rechecked.body).toMatchObject({ paymentId, pendingAmount: 10, refundableAmount: 90 });
    expect(h.sandbox.requests({ method: 'POST' })).toEqual([]);

    const decided = await api.resolveRefund(
      `/payments/${paymentId}`,
      refundId,
      { outcome: 'failed', note: 'No refund of 10.00 in the panel' },
      'ops-decision-1',
    );
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      id: refundId,
      paymentId,
      status: 'failed',
      failure: { code: 'REFUND_REJECTED' },
      resolution: { by: OPERATOR, note: 'No refund of 10.00 in the panel', at: expect.any(String) },
    });
    expect(decided.body.resolution).not.toHaveProperty('idempotencyKey');
    const [event] = h.events().filter((e) => e['detail-type'] === 'Refund Failed');
    expect(event?.detail).toMatchObject({
      paymentId,
      refund: { id: refundId, status: 'failed', resolution: { by: OPERATOR } },
    });

    // The same request replays; another decision finds it settled; the list is empty; the view agrees.
    const replay = await api.resolveRefund(
      `/payments/${paymentId}`,
      refundId,
      { outcome: 'failed', note: 'No refund of 10.00 in the panel' },
      'ops-decision-1',
    );
    expect(replay).toMatchObject({ status: 200, headers: { 'idempotent-replayed': 'true' } });
    const again = await api.resolveRefund(`/payments/${paymentId}`, refundId, {
      outcome: 'failed',
      note: 'twice',
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'REFUND_ALREADY_SETTLED' } });
    expect(itemsFor((await api.attention()).body, paymentId)).toEqual([]);
    expect((await api.refunds.get(paymentId, refundId)).body).toMatchObject({
      status: 'failed',
      resolution: { by: OPERATOR },
    });
    const lines = (await api.history(`/payments/${paymentId}`)).body.changes;
    expect(lines.at(-1)).toMatchObject({ by: OPERATOR, change: 'refund_failed' });
  });

  it('refuses a decision too early, one Mercado Pago contradicts, and bad requests (nothing changes)', async () => {
    const paymentId = approved();
    const refundId = await stuckRefund(paymentId);
    const subject = `/payments/${paymentId}`;
    expect(await api.resolveRefund(subject, refundId, { outcome: 'failed', note: 'too soon' })).toMatchObject(
      { status: 409, body: { code: 'RESOLUTION_TOO_EARLY' } },
    );
    clock.advance(11 * MINUTE);
    const other = h.sandbox.dashboardRefund(paymentId, 5);
    expect(
      await api.resolveRefund(subject, refundId, {
        outcome: 'succeeded',
        mercadoPagoRefundId: String(other.id),
        note: 'wrong one',
      }),
    ).toMatchObject({
      status: 409,
      body: { code: 'RESOLUTION_CONFLICT', detail: expect.stringContaining('amount') },
    });
    expect(
      await api.resolveRefund(subject, refundId, { outcome: 'succeeded', note: 'which one?' }),
    ).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_ERROR', errors: [{ field: 'mercadoPagoRefundId' }] },
    });
    expect(
      await api.resolveRefund(subject, refundId, { outcome: 'failed', mercadoPagoRefundId: '1', note: 'x' }),
    ).toMatchObject({ status: 400 });
    expect(await api.resolveRefund(subject, refundId, { outcome: 'failed', note: ' ' })).toMatchObject({
      status: 400,
    });
    expect(await api.resolveRefund(subject, 'rf_nope', { outcome: 'failed', note: 'x' })).toMatchObject({
      status: 404,
      body: { code: 'REFUND_NOT_FOUND' },
    });
    const unknownPayment = h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount: 5 });
    for (const answer of [
      await api.history(`/payments/${unknownPayment}`),
      await api.recheck(`/payments/${unknownPayment}`),
      await api.resolveRefund(`/payments/${unknownPayment}`, refundId, { outcome: 'failed', note: 'x' }),
    ])
      expect(answer).toMatchObject({ status: 404, body: { code: 'PAYMENT_NOT_FOUND' } });
    expect((await api.history('/payments/not-digits')).status).toBe(400);
    // The refund is still pending: the external refund made meanwhile appears, nothing else.
    const ledger = await h.ledgers.get(paymentId);
    expect(ledger!.refunds.find((e) => e.id === refundId)).toMatchObject({ status: 'pending' });
  });

  it('a recheck within the window re-sends the refund with its own key, as reconciliation would', async () => {
    const paymentId = approved();
    const refundId = await stuckRefund(paymentId);
    clock.advance(2 * MINUTE);
    const rechecked = await api.recheck(`/payments/${paymentId}`);
    expect(rechecked.status).toBe(200);
    expect(rechecked.body.refunds).toEqual([expect.objectContaining({ id: refundId, status: 'succeeded' })]);
    expect(h.events().map((e) => e['detail-type'])).toEqual(['Refund Succeeded']);
    const lines = (await api.history(`/payments/${paymentId}`)).body.changes;
    expect(lines.find((l: { change: string }) => l.change === 'refund_resent')).toMatchObject({
      by: OPERATOR,
    });
  });
});

/** A rule context at the harness's movable clock, `ms` from now. */
const contextAt = (ms: number, by: Actor = MERCADOPAGO): RuleContext => ({
  now: isoAt(clock.now() + ms),
  by,
  newRefundId: () => newId('rf'),
  settings: h.settings,
});
const apply = (ledger: Ledger, change: LedgerChange<unknown>): Ledger =>
  change.ledger ? { ...change.ledger, version: ledger.version } : ledger;
const save = async (ledger: Ledger) => {
  const { version: _version, ...rest } = ledger;
  const saved = await h.ledgers.save({ ...rest, version: 0 });
  expect(saved).not.toBeNull();
};

describe('the answer to its own key names a refund recorded as made elsewhere', () => {
  it('is listed with what to do, and the resolution re-attributes it: counted once, published once', async () => {
    const paymentId = approved();
    // Mercado Pago made 9.50 for rf_a's 10.00 (Y); a read recorded it as made elsewhere (published), then
    // rf_a's own key was answered with Y: a contradiction for a person.
    const y = h.sandbox.dashboardRefund(paymentId, 9.5);
    const fact: RefundFact = {
      id: String(y.id),
      subjectId: paymentId,
      amount: 9.5,
      status: 'approved',
      dateCreated: y.date_created,
    };
    const payment = await h.mercadoPago.getPayment(paymentId);
    const refundId = newId('rf');
    let ledger: Ledger = {
      ...newLedger(
        LedgerKind.Payment,
        { ...payment, totalMinor: 10_000, updatedAt: null },
        contextAt(-20 * MINUTE),
      ),
      version: 0,
    };
    ledger = apply(
      ledger,
      reserveRefund(
        ledger,
        {
          refundId,
          amount: 1000,
          idempotencyKey: 'merchant-1',
          fingerprint: 'fp',
          lockUntil: isoAt(Date.parse(y.date_created) + 20_000),
        },
        { windowDays: 90, approvedAt: null },
        { ...contextAt(0, caller('merchant')), now: isoAt(Date.parse(y.date_created) - 1_000) },
      ),
    );
    ledger = apply(
      ledger,
      recordRefundCall(ledger, refundId, 1, { kind: 'unknown', detail: 'lost' }, contextAt(0)),
    );
    ledger = apply(
      ledger,
      applyPaymentRead(
        ledger,
        { facts: { ...payment, refunds: [fact] }, at: isoAt(clock.now()) },
        contextAt(0),
      ),
    );
    const started = beginAttempt(
      ledger,
      refundId,
      isoAt(clock.now() + 30_000),
      contextAt(0, RECONCILIATION),
      're-send',
    );
    ledger = apply(ledger, started);
    ledger = apply(
      ledger,
      recordRefundCall(
        ledger,
        refundId,
        2,
        { kind: 'answered', refund: fact },
        contextAt(1_000, RECONCILIATION),
      ),
    );
    const external = ledger.refunds.find((e) => e.origin === 'external')!;
    expect(ledger.refunds.find((e) => e.id === refundId)).toMatchObject({
      status: 'pending',
      answeredWith: fact.id,
    });
    await save(ledger);

    clock.advance(11 * MINUTE);
    const items = itemsFor((await api.attention()).body, paymentId);
    expect(items.map((item) => item.kind)).toEqual(
      expect.arrayContaining(['refund_pending_too_long', 'settlement_contradiction']),
    );
    const contradiction = (items as { kind: string; suggestedAction: string }[]).find(
      (item) => item.kind === 'settlement_contradiction',
    );
    expect(contradiction?.suggestedAction).toContain(
      `npm run ops -- resolve ${paymentId} ${refundId} succeeded --mp-refund ${fact.id}`,
    );

    const decided = await api.resolveRefund(`/payments/${paymentId}`, refundId, {
      outcome: 'succeeded',
      mercadoPagoRefundId: fact.id,
      note: 'The panel shows 9.50 made with our key',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      status: 'succeeded',
      amount: 9.5,
      mercadoPagoRefundId: fact.id,
      resolution: { by: OPERATOR, reattributedFrom: external.id },
    });
    const view = await api.refunds.list(paymentId);
    expect(view.body).toMatchObject({ refundedAmount: 9.5, pendingAmount: 0 });
    expect(view.body.refunds.map((r: { id: string }) => r.id)).toEqual([refundId]);
    expect(
      h.events().map((e) => [e['detail-type'], (e.detail as { refund?: { id: string } }).refund?.id]),
    ).toEqual([['Refund Succeeded', refundId]]);
    expect(itemsFor((await api.attention()).body, paymentId)).toEqual([]);
    // The ledger left the index: no pending work, no finding.
    const open: string[] = [];
    for await (const id of api.deps.queries.openLedgerIds(new Date().toISOString())) open.push(id);
    expect(open).not.toContain(paymentId);
  });
});

describe('a cancellation whose outcome is unknown', () => {
  it('is settled not_cancelled while Mercado Pago shows it pending, after its window', async () => {
    const paymentId = h.sandbox.createPayment({ status: 'pending', siteId: 'MLB', amount: 40 });
    const cancellation = createHttpHandler(
      cancellationRoutes(async () => ({ ...api.deps, keyRetentionDays: 30 })),
      { logger: quietLogger, clock },
    );
    h.sandbox.drop({ method: 'PUT', path: `^/v1/payments/${paymentId}$`, times: 5 });
    const pending = await invoke(cancellation, {
      method: 'POST',
      path: `/payments/${paymentId}/cancellation`,
    });
    expect(pending.status).toBe(202);
    await h.sandbox.resetFaults();
    const subject = `/payments/${paymentId}`;
    expect(await api.resolveCancellation(subject, { outcome: 'not_cancelled', note: 'soon' })).toMatchObject({
      status: 409,
      body: { code: 'RESOLUTION_TOO_EARLY' },
    });
    clock.advance(11 * MINUTE);
    expect(itemsFor((await api.attention()).body, paymentId)).toEqual([
      expect.objectContaining({ kind: 'cancellation_pending_too_long', paymentId }),
    ]);
    expect(await api.resolveCancellation(subject, { outcome: 'cancelled', note: 'wrong' })).toMatchObject({
      status: 409,
      body: { code: 'RESOLUTION_CONFLICT', detail: expect.stringContaining('pending, not cancelled') },
    });
    const decided = await api.resolveCancellation(subject, {
      outcome: 'not_cancelled',
      note: 'The panel shows it pending',
    });
    expect(decided).toMatchObject({
      status: 200,
      body: {
        paymentId,
        status: 'pending',
        resolution: { by: OPERATOR, note: 'The panel shows it pending' },
      },
    });
    expect(itemsFor((await api.attention()).body, paymentId)).toEqual([]);
    expect(await api.resolveCancellation(subject, { outcome: 'not_cancelled', note: 'again' })).toMatchObject(
      {
        status: 409,
        body: { code: 'REFUND_ALREADY_SETTLED' },
      },
    );
    const noCancellation = approved();
    await stuckRefund(noCancellation);
    expect(
      await api.resolveCancellation(`/payments/${noCancellation}`, { outcome: 'cancelled', note: 'x' }),
    ).toMatchObject({ status: 409, body: { code: 'RESOLUTION_CONFLICT' } });
  });
});

describe('orders', () => {
  it('have their history, are listed, rechecked and resolved by the same routes (orderId, upper case)', async () => {
    // An Orders API order paid at the sandbox; its refund's calls never reach Mercado Pago: 202, pending.
    const orderId = await paidOrder(h, '50.00');
    h.sandbox.drop({ method: 'POST', path: `^/v1/orders/${orderId}/refund$`, times: 10 });
    const created = await orderApi(h, { clock }).refund(orderId, { amount: 20 }, `o-${orderId}`);
    expect(created).toMatchObject({ status: 202, body: { status: 'pending' } });
    await h.sandbox.resetFaults();
    const refundId = created.body.id as string;
    clock.advance(11 * MINUTE);

    const history = await api.history(`/orders/${orderId.toLowerCase().replace('ord', 'ORD')}`);
    expect(history).toMatchObject({ status: 200, body: { orderId } });
    expect((await api.history('/orders/ORD123')).status).toBe(400);
    expect(await api.history('/orders/ORD01JQ4S4KY8HWQ6NA5PXB65XXXX')).toMatchObject({
      status: 404,
      body: { code: 'ORDER_NOT_FOUND' },
    });
    expect(itemsFor((await api.attention()).body, orderId)).toEqual([
      expect.objectContaining({ kind: 'refund_pending_too_long', orderId, refundId }),
    ]);
    // Re-read through the Orders API client: Mercado Pago shows no refund, the refund stays pending.
    expect(await api.recheck(`/orders/${orderId}`)).toMatchObject({
      status: 200,
      body: { orderId, pendingAmount: 20 },
    });
    expect(await api.recheck('/orders/ORD01JQ4S4KY8HWQ6NA5PXB65XXXX')).toMatchObject({ status: 404 });
    const decided = await api.resolveRefund(`/orders/${orderId}`, refundId, {
      outcome: 'failed',
      note: 'Mercado Pago shows no refund on the order',
    });
    expect(decided).toMatchObject({
      status: 200,
      body: { orderId, status: 'failed', resolution: { by: OPERATOR } },
    });
    expect(
      h
        .events()
        .find(
          (e) =>
            e['detail-type'] === 'Refund Failed' && (e.detail as { orderId?: string }).orderId === orderId,
        ),
    ).toBeDefined();
    expect(refundsAtMercadoPago(h, orderId)).toEqual([]);
  });
});

describe('reports', () => {
  it('lists the days whose settlement report failed or disagreed, one item each, with what to do', async () => {
    const isolated = await startHarness({ sandbox: { notificationsEnabled: false } });
    try {
      const local = opsApi(isolated, clock);
      const store = createReconciliationStore(isolated.dynamo, isolated.tableName);
      const dayBefore = (n: number) => new Date(clock.now() - n * 86_400_000).toISOString().slice(0, 10);
      const at = new Date(clock.now()).toISOString();
      const day = (date: string, status: 'completed' | 'failed', discrepancies: number, reason?: string) =>
        store.saveDay({
          date,
          status,
          reason,
          counts: { rows: 3, matched: 3 - discrepancies, recordedExternal: 0, discrepancies },
          requests: 1,
          missingChecked: true,
          completedAt: at,
          updatedAt: at,
          version: 0,
        });
      await day(dayBefore(1), 'completed', 2);
      await day(dayBefore(2), 'failed', 0, 'the report did not come within REPORT_WAIT_HOURS');
      await day(dayBefore(3), 'completed', 0);
      await day(dayBefore(40), 'failed', 0, 'too old to list');
      const items = (await local.attention()).body.items as { kind: string; date?: string }[];
      expect(items).toEqual([
        // Oldest first (the same time: by day).
        expect.objectContaining({
          kind: 'reconciliation_failed',
          date: dayBefore(2),
          detail: expect.stringContaining('REPORT_WAIT_HOURS'),
        }),
        expect.objectContaining({
          kind: 'reconciliation_discrepancy',
          date: dayBefore(1),
          detail: expect.stringContaining('2 discrepancy'),
          suggestedAction: expect.stringContaining(`GET /reports/reconciliations/${dayBefore(1)}`),
        }),
      ]);
    } finally {
      await isolated.close();
    }
  });
});

describe('pages', () => {
  it('lists more than a page oldest first, with a cursor that neither repeats nor skips', async () => {
    const isolated = await startHarness({ sandbox: { notificationsEnabled: false } });
    try {
      const local = opsApi(isolated, clock);
      for (let i = 0; i < 105; i++) {
        const id = String(90_000_000_000 + i);
        let ledger: Ledger = {
          ...newLedger(
            LedgerKind.Payment,
            {
              id,
              currency: 'BRL',
              totalMinor: 1_000,
              status: 'approved',
              statusDetail: null,
              updatedAt: null,
            },
            contextAt(-30 * MINUTE),
          ),
          version: 0,
        };
        const reservation = reserveRefund(
          ledger,
          {
            refundId: `rf_p${i}`,
            amount: 100,
            idempotencyKey: `p-${i}`,
            fingerprint: 'fp',
            lockUntil: isoAt(clock.now()),
          },
          { windowDays: 90, approvedAt: null },
          contextAt(-30 * MINUTE + i * 1_000, caller('merchant')),
        );
        ledger = apply(ledger, reservation);
        // With the reservation's events, as the route stores it (its refunds-by-day index item included).
        const saved = await isolated.ledgers.save(ledger, reservation.events);
        expect(saved).not.toBeNull();
      }
      const first = await local.attention();
      expect(first.body.items).toHaveLength(100);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await local.attention(first.body.nextCursor);
      expect(second.body.items).toHaveLength(5);
      expect(second.body.nextCursor).toBeUndefined();
      const ids = [...first.body.items, ...second.body.items].map(
        (item: { refundId: string }) => item.refundId,
      );
      expect(ids).toEqual(Array.from({ length: 105 }, (_, i) => `rf_p${i}`));
      expect(await local.attention('not-a-cursor')).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_ERROR', errors: [{ field: 'cursor' }] },
      });
    } finally {
      await isolated.close();
    }
  });

  it('pages a long history, and a cursor still works once older lines were dropped', async () => {
    const id = '91000000001';
    let ledger: Ledger = {
      ...newLedger(
        LedgerKind.Payment,
        { id, currency: 'BRL', totalMinor: 1_000, status: 'approved', statusDetail: null, updatedAt: null },
        contextAt(0),
      ),
      version: 0,
    };
    ledger = {
      ...ledger,
      history: Array.from({ length: 150 }, (_, i) => ({
        at: isoAt(clock.now() + i),
        by: 'mercadopago',
        change: 'status_recorded',
        detail: `line ${i}`,
      })),
    };
    await save(ledger);
    const first = await api.history(`/payments/${id}`);
    expect(first.body.changes).toHaveLength(100);
    const second = await api.history(`/payments/${id}`, first.body.nextCursor);
    expect(second.body.changes.map((c: { detail: string }) => c.detail)).toEqual(
      Array.from({ length: 50 }, (_, i) => `line ${100 + i}`),
    );
    expect(second.body.nextCursor).toBeUndefined();
    // Lines 0..120 dropped meanwhile: the next page starts after the last line shown.
    const stored = (await h.ledgers.get(id))!;
    await h.ledgers.save({ ...stored, history: stored.history.slice(121) });
    const after = await api.history(`/payments/${id}`, first.body.nextCursor);
    expect(after.body.changes[0].detail).toBe('line 121');
  });
});

describe('dead letters (AWS)', () => {
  it('are listed with their queue and what to do; an unreadable queue is said so, never hides the rest', async () => {
    const sqs = await startFakeAws(() => ({
      body: { Attributes: { ApproximateNumberOfMessages: '2', ApproximateNumberOfMessagesNotVisible: '1' } },
    }));
    try {
      const client = new SQSClient({
        endpoint: sqs.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      });
      const queueUrl = `${sqs.url}/123456789012/notifications-dlq`;
      const local = opsApi(h, clock, { deadLetters: sqsDeadLetters(queueUrl, client) });
      const items = (await local.attention()).body.items as { kind: string }[];
      expect(items.filter((item) => item.kind === 'dead_letters')).toEqual([
        expect.objectContaining({
          queue: 'notifications-dlq',
          detail: expect.stringContaining('3 notification(s)'),
          suggestedAction: expect.stringContaining('npm run ops -- redrive'),
        }),
      ]);
      expect(sqs.calls('AmazonSQS.GetQueueAttributes')[0]!.body).toMatchObject({ QueueUrl: queueUrl });
      sqs.answer(() => ({ status: 400, body: { __type: 'AccessDenied', message: 'no' } }));
      const failing = (await local.attention()).body.items as { kind: string; detail: string }[];
      expect(failing.find((item) => item.kind === 'dead_letters')?.detail).toContain('could not be read');
      sqs.answer(() => ({ body: { Attributes: { ApproximateNumberOfMessages: '0' } } }));
      expect(
        ((await local.attention()).body.items as { kind: string }[]).some((i) => i.kind === 'dead_letters'),
      ).toBe(false);
      client.destroy();
    } finally {
      await sqs.close();
    }
  });
});
