/**
 * Cost per operation, counted: the DynamoDB requests that went through the counting proxy (with their
 * request units as DynamoDB bills them, index writes included: dynamo-usage.ts) and the Mercado Pago calls
 * that reached the sandbox while one process served `count` operations of one kind, divided by `count`;
 * retries would show as fractions. Events out are the lines written (one PutEvents entry each when
 * deployed). The refund's end-to-end cost (its notification included) is end-to-end.ts.
 */
import type { DynamoUsage } from './dynamo-usage.ts';
import { totalsOf } from './dynamo-usage.ts';
import { driveOne, type Lab, type Variant } from './lab.ts';
import { replays } from './operations.ts';
import { round } from './stats.ts';
import type { FunctionId, Subject } from './subjects.ts';
import { operationName } from './warm.ts';

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

export interface OperationCost {
  /** DynamoDB requests per operation, by API action. */
  dynamodb: Record<string, number>;
  dynamodbReads: number;
  dynamodbWrites: number;
  /** On-demand request units per operation (writes: table and index). */
  readUnits: number;
  writeUnits: number;
  indexWriteUnits: number;
  /** Write units per operation by what was written (`ledger`, `idempotency key`, `index gsi1`...). */
  writeUnitsByCategory: Record<string, number>;
  /** Items written per operation by what they are (`index gsi1`: index writes). */
  writesByCategory: Record<string, number>;
  /** The largest item written (bytes, as DynamoDB sizes items): over 1 KB, a write costs 2 units. */
  largestItemBytes: number;
  largestBytesByCategory: Record<string, number>;
  /** Mercado Pago calls per operation, by `METHOD /path/template`. */
  mercadoPago: Record<string, number>;
  mercadoPagoCalls: number;
  /** Events out: writes that carry events (the stream wakes the publisher for them), or event lines written. */
  events: number;
}

export interface CostResult {
  function: FunctionId;
  operation: string;
  operations: number;
  project: OperationCost;
  baseline: OperationCost | undefined;
  peer: OperationCost | undefined;
}

/** `/v1/payments/123/refunds` -> `/v1/payments/{id}/refunds`; till and store ids too. */
export const pathTemplate = (path: string): string =>
  path.replace(/\/(stores|pos)\/[^/]+/g, '/$1/{id}').replace(/\/\d+(?=\/|$)/g, '/{id}');

const perOperation = (counts: Record<string, number>, operations: number): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, round(count / operations, 2)]));

const sum = (counts: Record<string, number>, keep: (name: string) => boolean): number =>
  round(
    Object.entries(counts).reduce((total, [name, count]) => total + (keep(name) ? count : 0), 0),
    2,
  );

/** Mercado Pago calls by `METHOD /path/template` since the sandbox's log was last cleared. */
export const mercadoPagoCalls = (lab: Lab): Record<string, number> => {
  const calls: Record<string, number> = {};
  for (const request of lab.services.sandbox.requests()) {
    const name = `${request.method} ${pathTemplate(request.path.split('?')[0] ?? '')}`;
    calls[name] = (calls[name] ?? 0) + 1;
  }
  return calls;
};

export const costOf = (
  usage: DynamoUsage,
  calls: Record<string, number>,
  eventLines: number,
  operations: number,
): OperationCost => {
  const totals = totalsOf(usage);
  const dynamodb = perOperation(usage.requests, operations);
  const mercadoPago = perOperation(calls, operations);
  return {
    dynamodb,
    dynamodbReads: sum(dynamodb, (name) => READS.has(name)),
    dynamodbWrites: sum(dynamodb, (name) => !READS.has(name)),
    readUnits: round(totals.readUnits / operations, 2),
    writeUnits: round(totals.writeUnits / operations, 2),
    indexWriteUnits: round(totals.indexWriteUnits / operations, 2),
    writeUnitsByCategory: perOperation(totals.writeUnitsByCategory, operations),
    writesByCategory: perOperation(totals.writesByCategory, operations),
    largestItemBytes: totals.largestItemBytes,
    largestBytesByCategory: totals.largestBytesByCategory,
    mercadoPago,
    mercadoPagoCalls: sum(mercadoPago, () => true),
    events: round((eventLines + totals.writesWithEvents) / operations, 2),
  };
};

/** Counts DynamoDB (through the proxy) and Mercado Pago while `work` runs. */
export const countWhile = async (
  lab: Lab,
  operations: number,
  work: () => Promise<{ eventLines: number }>,
): Promise<OperationCost> => {
  lab.services.takeDynamoUsage();
  lab.services.sandbox.clearRequests();
  const { eventLines } = await work();
  const usage = lab.services.takeDynamoUsage();
  const calls = mercadoPagoCalls(lab);
  lab.services.sandbox.clearRequests();
  return costOf(usage, calls, eventLines, operations);
};

export const measureCosts = async (
  lab: Lab,
  subjects: readonly Subject[],
  operations: number,
): Promise<CostResult[]> => {
  const results: CostResult[] = [];
  for (const subject of subjects) {
    // Nothing to count: a run with nothing pending is one Query per shard; an unknown route calls nothing.
    if (subject.id === 'reconcile' || subject.id === 'not-found') continue;
    const variants: Variant[] = [
      'project',
      ...(subject.baselineEntry === undefined ? [] : (['baseline'] as const)),
      ...(subject.peerEntry === undefined ? [] : (['peer'] as const)),
    ];
    const costs: Partial<Record<Variant, OperationCost>> = {};
    const replayCosts: Partial<Record<Variant, OperationCost>> = {};
    for (const variant of variants) {
      const invocations = subject.invocations(lab.services.sandbox, operations);
      costs[variant] = await countWhile(lab, operations, () =>
        driveOne(lab, subject, variant, invocations, { counted: true }),
      );
      if (subject.id === 'refunds') {
        replayCosts[variant] = await countWhile(lab, operations, () =>
          driveOne(lab, subject, variant, replays(invocations), { counted: true }),
        );
      }
    }
    results.push({
      function: subject.id,
      operation: operationName(subject.id),
      operations,
      project: costs.project!,
      baseline: costs.baseline,
      peer: costs.peer,
    });
    if (subject.id === 'refunds') {
      results.push({
        function: subject.id,
        operation: 'replay',
        operations,
        project: replayCosts.project!,
        baseline: replayCosts.baseline,
        peer: replayCosts.peer,
      });
    }
  }
  return results;
};
