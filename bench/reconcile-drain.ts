/**
 * Reconciliation drains: in a table of its own, `settled` payments whose refund is pending in the ledger
 * (its call's outcome unknown, due now) while Mercado Pago made it, then one run of the reconcile bundle as
 * the schedule runs it (its Lambda timeout, 5 minutes, as budget): the figure is the time that run takes to
 * settle them all (complete). Then `unknown` more whose refund Mercado Pago never saw and can no longer be
 * re-sent (past the re-send window): a run checks them (still pending, next check later), and a run right
 * after finds nothing due. Each run's ledger reads are counted as they reach dynalite (request-watch.ts) and
 * set against the ledgers that were due at its start: none may be read before it is due. The oldest-pending
 * age is what each run reports.
 *
 * Seeding is fast and faithful: one refund goes through the refunds bundle while the sandbox loses Mercado
 * Pago's answers (so it is recorded pending, outcome unknown, as the function records it), and its ledger is
 * the template of the others, each with its own payment, refund id and key, turned into items by the
 * project's ledger store (its PutItem captured) and written 25 at a time; for the settled ones Mercado Pago's
 * refund is made with the refund's own Mercado Pago key, as the lost call had made it.
 */
import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { Pool } from 'undici';
import { createLedgerStore, ledgerKey } from '../functions/adapters/dynamodb/ledger-store.ts';
import { mercadoPagoRefundKey } from '../functions/model/ledger/attempts.ts';
import { isOurs, type Ledger, type OurRefund, RefundStatus } from '../functions/model/ledger/types.ts';
import { createTable } from '../local/dynamodb.ts';
import { type Sandbox, startSandbox } from '../local/sandbox/index.ts';
import { drive, driveOne, type Lab } from './lab.ts';
import { apiGatewayEvent, refundRequest } from './operations.ts';
import { watchRequests } from './request-watch.ts';
import { ACCESS_TOKEN, USER_ID, WEBHOOK_SECRET } from './services.ts';
import { round } from './stats.ts';
import { type Subject, scheduledRuns } from './subjects.ts';

export const DRAIN_TABLE = 'bench-reconcile';

export interface ReconcileRunFigure {
  /** What was due at the run's start. */
  due: number;
  durationMs: number;
  report: {
    seen: number;
    checked: number;
    settled: number;
    resent: number;
    failed: number;
    complete: boolean;
    oldestPendingRefundAgeSeconds: number;
  };
  /** Ledger items read (GetItem and BatchGetItem items), and of those, of ledgers that were not due. */
  ledgerReads: number;
  notDueReads: number;
  /** Queries of the due-work index. */
  indexQueries: number;
  /** The oldest pending work's real age at the run's end (s). */
  actualOldestPendingSeconds: number;
}

export interface DrainResult {
  seededSettled: number;
  seededUnknown: number;
  seedingMs: number;
  drain: ReconcileRunFigure;
  unknownRun: ReconcileRunFigure;
  idleRun: ReconcileRunFigure;
}

const pendingEntry = (ledger: Ledger): OurRefund => {
  const entry = ledger.refunds.find((e): e is OurRefund => isOurs(e) && e.status === RefundStatus.Pending);
  if (!entry) throw new Error('the template ledger holds no pending refund of ours');
  return entry;
};

const shifted = (iso: string | undefined, ms: number): string | undefined =>
  iso === undefined ? undefined : new Date(Date.parse(iso) + ms).toISOString();

/** A copy of the template for another payment, its refund with its own id and key, its dates moved by `ms`. */
const cloneFor = (
  template: Ledger,
  paymentId: string,
  key: string,
  shiftMs: number,
  dueAt: string,
): Ledger => {
  const ledger = structuredClone(template);
  ledger.id = paymentId;
  ledger.version = 0;
  const entry = pendingEntry(ledger);
  entry.id = `${entry.id.slice(0, entry.id.indexOf('_') + 1)}${randomUUID().replaceAll('-', '')}`;
  entry.idempotencyKey = key;
  entry.createdAt = shifted(entry.createdAt, shiftMs) ?? entry.createdAt;
  entry.updatedAt = shifted(entry.updatedAt, shiftMs) ?? entry.updatedAt;
  entry.call = {
    ...entry.call,
    lastAttemptAt: shifted(entry.call.lastAttemptAt, shiftMs) ?? entry.call.lastAttemptAt,
    ...(entry.call.inFlightUntil === undefined
      ? {}
      : { inFlightUntil: shifted(entry.call.inFlightUntil, shiftMs) }),
  };
  ledger.createdAt = shifted(ledger.createdAt, shiftMs) ?? ledger.createdAt;
  ledger.updatedAt = shifted(ledger.updatedAt, shiftMs) ?? ledger.updatedAt;
  ledger.schedule = { nextCheckAt: dueAt, checks: 0 };
  return ledger;
};

/** Runs `work` over `items`, `concurrency` at a time. */
const pooled = async <T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
};

export const measureReconcileDrain = async (
  lab: Lab,
  subjects: { refunds: Subject; reconcile: Subject },
  options: { settled: number; unknown: number },
): Promise<DrainResult> => {
  // A Mercado Pago of its own: the earlier phases' payments would slow every answer (the sandbox sweeps its
  // payments on each call), which is no cost of reconciliation.
  const sandbox = await startSandbox({
    seedDemoData: false,
    accessToken: ACCESS_TOKEN,
    webhookSecret: WEBHOOK_SECRET,
    userId: USER_ID,
    notificationsEnabled: false,
  });
  try {
    return await drainWith(lab, subjects, options, sandbox);
  } finally {
    await sandbox.close();
  }
};

const drainWith = async (
  lab: Lab,
  subjects: { refunds: Subject; reconcile: Subject },
  options: { settled: number; unknown: number },
  sandbox: Sandbox,
): Promise<DrainResult> => {
  const { admin } = lab.services;
  const own = { sandboxUrl: sandbox.url, tableName: DRAIN_TABLE };
  await createTable(admin, DRAIN_TABLE);
  const ledgers = createLedgerStore(admin, DRAIN_TABLE);
  const seedStart = Date.now();

  // The template: a refund whose every answer from Mercado Pago was lost.
  const templatePayment = sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 });
  sandbox.loseAnswer({ method: 'POST', path: /\/refunds$/, times: 20 });
  try {
    await driveOne(
      lab,
      subjects.refunds,
      'project',
      [
        {
          label: 'template refund (answers lost)',
          event: apiGatewayEvent(refundRequest(templatePayment, `bench-drain-template-${process.pid}`)),
          expect: { status: 202, bodyIncludes: '"pending"' },
        },
      ],
      own,
    );
  } finally {
    await sandbox.resetFaults();
  }
  const template = await ledgers.get(templatePayment);
  if (!template) throw new Error('the template refund left no ledger');
  await admin.send(new DeleteItemCommand({ TableName: DRAIN_TABLE, Key: ledgerKey(templatePayment) }));
  const templateEntry = pendingEntry(template);

  const mercadoPago = new Pool(sandbox.url, { connections: 32 });
  // The ledger store's own items (whatever its encoding), captured instead of sent, then written in batches.
  const items: Record<string, AttributeValue>[] = [];
  const capturing = {
    send: async (command: { input: PutItemCommandInput }) => {
      if (command.input.Item) items.push(command.input.Item);
      return {};
    },
  } as unknown as DynamoDBClient;
  const itemsOf = createLedgerStore(capturing, DRAIN_TABLE);
  const writeCaptured = async () => {
    const batches: Record<string, AttributeValue>[][] = [];
    for (let at = 0; at < items.length; at += 25) batches.push(items.slice(at, at + 25));
    items.length = 0;
    await pooled(batches, 8, async (batch) => {
      let left = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; left.length > 0; attempt++) {
        if (attempt > 10) throw new Error('seeding: BatchWriteItem kept items unprocessed');
        const answer = await admin.send(new BatchWriteItemCommand({ RequestItems: { [DRAIN_TABLE]: left } }));
        left = (answer.UnprocessedItems?.[DRAIN_TABLE] ?? []) as typeof left;
      }
    });
  };

  const seed = async (count: number, kind: 'settled' | 'unknown', shiftMs: number): Promise<Set<string>> => {
    const ids: string[] = Array.from({ length: count }, () =>
      sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 }),
    );
    const dueAt = new Date(Date.now() - 1000).toISOString();
    const clones = new Map<string, Ledger>();
    for (const paymentId of ids) {
      const ledger = cloneFor(template, paymentId, `bench-drain-${kind}-${paymentId}`, shiftMs, dueAt);
      await itemsOf.save(ledger);
      clones.set(paymentId, ledger);
    }
    await writeCaptured();
    if (kind === 'unknown') return new Set(ids);
    await pooled(ids, 32, async (paymentId) => {
      const entry = pendingEntry(clones.get(paymentId) as Ledger);
      const answer = await mercadoPago.request({
        method: 'POST',
        path: `/v1/payments/${paymentId}/refunds`,
        headers: {
          authorization: `Bearer ${ACCESS_TOKEN}`,
          'content-type': 'application/json',
          'x-idempotency-key': mercadoPagoRefundKey(entry),
          'x-render-in-process-refunds': 'true',
        },
        body: JSON.stringify(entry.sendsEmptyBody ? {} : { amount: templateEntry.amountMinor / 100 }),
      });
      await answer.body.text();
      if (answer.statusCode !== 201 && answer.statusCode !== 200)
        throw new Error(`seeding ${paymentId}: Mercado Pago answered ${answer.statusCode}`);
    });
    return new Set(ids);
  };

  const dynalitePort = Number(new URL(lab.services.dynamoEndpoint).port);
  const run = async (
    due: Set<string>,
    oldestPendingSince: number | undefined,
  ): Promise<ReconcileRunFigure> => {
    const watch = watchRequests(dynalitePort, DRAIN_TABLE);
    try {
      const outcome = await drive(
        lab,
        subjects.reconcile,
        ['project'],
        scheduledRuns(sandbox, 1).map((invocation) => ({ ...invocation, bundle: 0 })),
        { ...own, keepAnswers: true, limitMs: 360_000 },
      );
      const report = JSON.parse(outcome.answers[0] ?? '{}') as ReconcileRunFigure['report'];
      const reads = watch.itemsRead.filter((pk) => pk.startsWith('PAYMENT#'));
      const notDue = reads.filter((pk) => !due.has(pk.slice('PAYMENT#'.length)));
      return {
        due: due.size,
        durationMs: round(outcome.latenciesMs[0] ?? Number.NaN, 0),
        report: {
          seen: report.seen,
          checked: report.checked,
          settled: report.settled,
          resent: report.resent,
          failed: report.failed,
          complete: report.complete,
          oldestPendingRefundAgeSeconds: report.oldestPendingRefundAgeSeconds,
        },
        ledgerReads: reads.length,
        notDueReads: notDue.length,
        indexQueries: watch.requests.Query ?? 0,
        actualOldestPendingSeconds:
          oldestPendingSince === undefined ? 0 : Math.round((Date.now() - oldestPendingSince) / 1000),
      };
    } finally {
      watch.stop();
    }
  };

  try {
    const settledIds = await seed(options.settled, 'settled', 0);
    const seedingMs = Date.now() - seedStart;
    const drain = await run(settledIds, undefined);
    // Past the re-send window: Mercado Pago never saw them and they may only be matched.
    const ageMs = 20 * 60_000;
    const unknownIds = await seed(options.unknown, 'unknown', -ageMs);
    const oldest = Date.parse(templateEntry.createdAt) - ageMs;
    const unknownRun = await run(unknownIds, oldest);
    const idleRun = await run(new Set(), oldest);
    return {
      seededSettled: options.settled,
      seededUnknown: options.unknown,
      seedingMs,
      drain,
      unknownRun,
      idleRun,
    };
  } finally {
    await mercadoPago.close();
  }
};
