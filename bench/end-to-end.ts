/**
 * What one refund costs in DynamoDB from end to end, as billed (dynamo-usage.ts, through the counting proxy),
 * with the deployed-like IAM caller of operations.ts: the refund request (key claim, reservation, Mercado Pago,
 * settlement, index writes) and the notification the sandbox sends about it, handed to the webhook as API
 * Gateway would (its dedupe markers, any ledger write; the webhook processes it inline here, which makes the
 * same DynamoDB requests as the deployed webhook + processor pair: only the SQS hop differs).
 * - Fresh payments: `count` refunds, each of its own payment, then their notifications.
 * - One payment refunded `sameCount` times (1.00 each): each refund and its notification counted alone, to
 *   see what the ledger's growth costs (the 20th against the first).
 * - No news: the same notification delivered again (a Mercado Pago retry), and a read of the payment's
 *   refunds (GET, which re-reads the payment): neither may write the ledger.
 */
import type { Invocation } from './child/protocol.ts';
import type { DriverSession } from './child/spawn.ts';
import { countWhile, type OperationCost } from './cost.ts';
import { type Lab, session } from './lab.ts';
import { apiGatewayEvent, refundRequest, refunds } from './operations.ts';
import type { CapturedNotification } from './services.ts';
import { round } from './stats.ts';
import type { Subject } from './subjects.ts';

export interface RefundStepCost {
  /** Refund number on its payment (1-based). */
  index: number;
  writeUnits: number;
  readUnits: number;
  /** The ledger item after the step (bytes, as DynamoDB sizes items). */
  ledgerBytes: number;
  ledgerWritesByNotification: number;
}

export interface EndToEndResult {
  refunds: number;
  /** Per refund: the refund request, and the notification(s) that followed. */
  refund: OperationCost;
  notification: OperationCost;
  /** Notifications the sandbox sent per refund. */
  notificationsPerRefund: number;
  writeUnits: number;
  readUnits: number;
  /** Write units per refund by what was written, refund and notification together. */
  writeUnitsByCategory: Record<string, number>;
  /** Ledger items written per refund by the notification that followed it. */
  ledgerWritesByNotification: number;
  /** One payment refunded again and again. */
  samePayment: RefundStepCost[];
  /** WRU of the last refund of the same payment / the first's. */
  growthRatio: number;
  noNews: {
    duplicateNotification: { ledgerWrites: number; writeUnits: number };
    read: { ledgerWrites: number; writeUnits: number; readUnits: number };
  };
}

const ledgerWrites = (cost: OperationCost): number => cost.writesByCategory.ledger ?? 0;

const webhookEvents = (captured: CapturedNotification[]): Invocation[] =>
  captured.map((notification) => ({
    label: `notification ${notification.url}`,
    event: apiGatewayEvent({
      method: 'POST',
      url: notification.url,
      headers: notification.headers,
      body: notification.body,
    }),
    expect: { status: 200 },
  }));

let keys = 0;
const refundOf = (paymentId: string, amount: number): Invocation => ({
  label: `refund of ${amount} of ${paymentId}`,
  event: apiGatewayEvent({
    ...refundRequest(paymentId, `bench-e2e-${process.pid}-${++keys}`),
    body: JSON.stringify({ amount, reason: 'bench' }),
  }),
  expect: { status: 201, bodyIncludes: '"succeeded"' },
});

export const measureEndToEnd = async (
  lab: Lab,
  subjects: { refunds: Subject; webhook: Subject },
  options: { count: number; sameCount: number },
): Promise<EndToEndResult> => {
  const { sandbox, notifications } = lab.services;
  const delivered = async (): Promise<CapturedNotification[]> => {
    await sandbox.notificationsIdle();
    return notifications.take();
  };
  // One process per function for the whole phase, as warm Lambdas: each step counted on its own.
  const refundsFn = await session(lab, subjects.refunds, 'project', { counted: true });
  const webhookFn = await session(lab, subjects.webhook, 'project', { counted: true });
  const each = (fn: DriverSession, invocations: Invocation[]) => async () => {
    for (const invocation of invocations) await fn.invoke({ ...invocation, bundle: 0 });
    return { eventLines: 0 };
  };
  const notify = (captured: CapturedNotification[], operations: number) =>
    countWhile(lab, operations, each(webhookFn, webhookEvents(captured)));

  sandbox.configure({ notificationsEnabled: true });
  notifications.take();
  try {
    // Fresh payments.
    const batch = refunds(sandbox, options.count);
    const refund = await countWhile(lab, options.count, each(refundsFn, batch));
    const captured = await delivered();
    const notification = await notify(captured, options.count);

    // No news: the same notifications again, then a read of each payment's refunds.
    const again = await notify(captured, options.count);
    const paymentIds = batch.map((invocation) => /refund of (\d+)/.exec(invocation.label)?.[1] ?? '');
    const reads = paymentIds.map(
      (id): Invocation => ({
        label: `read of ${id}`,
        event: apiGatewayEvent({ method: 'GET', url: `/payments/${id}/refunds` }),
        expect: { status: 200 },
      }),
    );
    const read = await countWhile(lab, options.count, each(refundsFn, reads));
    await delivered();

    // One payment, refunded again and again.
    const paymentId = sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 });
    const samePayment: RefundStepCost[] = [];
    for (let index = 1; index <= options.sameCount; index++) {
      const step = await countWhile(lab, 1, each(refundsFn, [refundOf(paymentId, 1)]));
      const stepNotification = await notify(await delivered(), 1);
      samePayment.push({
        index,
        writeUnits: round(step.writeUnits + stepNotification.writeUnits, 2),
        readUnits: round(step.readUnits + stepNotification.readUnits, 2),
        ledgerBytes: Math.max(
          step.largestBytesByCategory.ledger ?? 0,
          stepNotification.largestBytesByCategory.ledger ?? 0,
        ),
        ledgerWritesByNotification: ledgerWrites(stepNotification),
      });
    }

    const writeUnitsByCategory: Record<string, number> = {};
    for (const cost of [refund, notification])
      for (const [category, units] of Object.entries(cost.writeUnitsByCategory))
        writeUnitsByCategory[category] = round((writeUnitsByCategory[category] ?? 0) + units, 2);
    const first = samePayment[0]?.writeUnits ?? Number.NaN;
    const last = samePayment.at(-1)?.writeUnits ?? Number.NaN;
    return {
      refunds: options.count,
      refund,
      notification,
      notificationsPerRefund: round(captured.length / options.count, 2),
      writeUnits: round(refund.writeUnits + notification.writeUnits, 2),
      readUnits: round(refund.readUnits + notification.readUnits, 2),
      writeUnitsByCategory,
      ledgerWritesByNotification: ledgerWrites(notification),
      samePayment,
      growthRatio: round(last / first, 3),
      noNews: {
        duplicateNotification: { ledgerWrites: ledgerWrites(again), writeUnits: again.writeUnits },
        read: { ledgerWrites: ledgerWrites(read), writeUnits: read.writeUnits, readUnits: read.readUnits },
      },
    };
  } finally {
    sandbox.configure({ notificationsEnabled: false });
    await sandbox.notificationsIdle();
    notifications.take();
    await refundsFn.close();
    await webhookFn.close();
  }
};
