/**
 * One line per figure, with the baseline beside it and the target, so a regression stands out:
 *   cold   refunds first response     181.2 ms   baseline 160.3 ms   x1.130   target <= x1.15   ok
 */
import { join } from 'node:path';
import type { BuiltBundle } from './bundles.ts';
import type { AssetCheck } from './cdk-assets.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { CostResult, OperationCost } from './cost.ts';
import { round } from './stats.ts';
import type { FunctionId } from './subjects.ts';
import type { ThroughputResult } from './throughput.ts';
import type { WarmResult } from './warm.ts';

/**
 * Where `npm run bench` writes every figure, and `node bench/table.ts` reads them: an ignored folder
 * (.gitignore), so that a run never changes the tree; results depend on the machine.
 */
export const RESULTS_FILE = join(import.meta.dirname, '..', '.bench', 'results.json');

export const Targets = {
  /** Bundle bytes / the bare baseline's. */
  sizeRatio: 1.1,
  /** The project's own code, validation (zod), middleware (middy) and logging over the baseline: ~90 kB. */
  ownBytes: 90_000,
  /** Cold first response / the bare baseline's (medians). */
  coldRatio: 1.15,
  /** Warm p50 minus the bare baseline's. */
  warmOverheadMs: 1,
  refund: { paymentReads: 1, refundCalls: 1, dynamodbRequests: 3 },
  replay: { dynamodbReads: 1, dynamodbRequests: 1, mercadoPagoCalls: 0 },
} as const;

export type Verdict = 'ok' | 'MISS' | '';

export interface Line {
  section: string;
  figure: string;
  value: string;
  baseline: string;
  comparison: string;
  target: string;
  verdict: Verdict;
}

const line = (section: string, figure: string, value: string, rest: Partial<Line> = {}): Line => ({
  section,
  figure,
  value,
  baseline: '',
  comparison: '',
  target: '',
  verdict: '',
  ...rest,
});

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const ms = (value: number) => `${value.toFixed(2)} ms`;
const ratio = (value: number) => `x${value.toFixed(3)}`;
const verdict = (ok: boolean): Verdict => (ok ? 'ok' : 'MISS');

/** What the project adds itself, as opposed to packages it calls (AWS SDK clients the baseline does not). */
const OWN_ORIGINS = new Set(['(project)', 'zod', '@middy/core']);

export interface SizeResult {
  function: FunctionId;
  bytes: number;
  baselineBytes: number | undefined;
  ratio: number | undefined;
  /** Bytes over the baseline from the project's code, zod and middy (its logging is project code). */
  ownBytes: number | undefined;
  /** Bytes over the baseline's, by origin (project code, zod, SDK clients the baseline does not use...). */
  excessByOrigin: Record<string, number> | undefined;
}

export const sizeResult = (
  id: FunctionId,
  project: BuiltBundle,
  baseline: BuiltBundle | undefined,
): SizeResult => {
  if (!baseline)
    return {
      function: id,
      bytes: project.bytes,
      baselineBytes: undefined,
      ratio: undefined,
      ownBytes: undefined,
      excessByOrigin: undefined,
    };
  const excess: Record<string, number> = {};
  for (const origin of new Set([
    ...Object.keys(project.bytesByOrigin),
    ...Object.keys(baseline.bytesByOrigin),
  ])) {
    const added = (project.bytesByOrigin[origin] ?? 0) - (baseline.bytesByOrigin[origin] ?? 0);
    if (Math.abs(added) >= 512) excess[origin] = added;
  }
  const sorted = Object.fromEntries(Object.entries(excess).sort((a, b) => b[1] - a[1]));
  return {
    function: id,
    bytes: project.bytes,
    baselineBytes: baseline.bytes,
    ratio: round(project.bytes / baseline.bytes, 3),
    ownBytes: Object.entries(excess).reduce(
      (sum, [origin, bytes]) => sum + (OWN_ORIGINS.has(origin) ? bytes : 0),
      0,
    ),
    excessByOrigin: sorted,
  };
};

export const sizeLines = (sizes: readonly SizeResult[]): Line[] =>
  sizes.flatMap((size) => {
    if (size.baselineBytes === undefined || size.ratio === undefined)
      return [line('size', `${size.function} bundle`, kb(size.bytes), { target: 'no baseline' })];
    const excess = Object.entries(size.excessByOrigin ?? {})
      .slice(0, 5)
      .map(([origin, bytes]) => `${origin} ${bytes > 0 ? '+' : ''}${(bytes / 1000).toFixed(1)}`)
      .join(', ');
    const own = size.ownBytes ?? 0;
    return [
      line('size', `${size.function} bundle`, kb(size.bytes), {
        baseline: `baseline ${kb(size.baselineBytes)}`,
        comparison: ratio(size.ratio),
        target: `<= x${Targets.sizeRatio.toFixed(2)}`,
        verdict: verdict(size.ratio <= Targets.sizeRatio),
      }),
      line('size', `${size.function} own code+zod+middy`, kb(own), {
        baseline: 'over the baseline',
        target: `<= ~${kb(Targets.ownBytes)}`,
        verdict: verdict(own <= Targets.ownBytes),
      }),
      line('size', '  over baseline (kB)', '', { baseline: excess }),
    ];
  });

export const assetLines = (checks: readonly AssetCheck[]): Line[] => {
  const different = checks.filter((check) => !check.identical).map((check) => check.function);
  return [
    line('size', 'bundles = cdk synth assets', `${checks.length - different.length}/${checks.length}`, {
      baseline: different.length > 0 ? `differ: ${different.join(', ')}` : 'byte for byte',
      target: 'all identical',
      verdict: verdict(different.length === 0),
    }),
  ];
};

export const coldLines = (results: readonly ColdStartResult[]): Line[] =>
  results.flatMap((result) => [
    line('cold', `${result.function} first response`, ms(result.project.firstResponseMs), {
      baseline: result.baseline ? `baseline ${ms(result.baseline.firstResponseMs)}` : '',
      comparison: result.ratio === undefined ? '' : ratio(result.ratio),
      target: result.ratio === undefined ? 'no baseline' : `<= x${Targets.coldRatio.toFixed(2)}`,
      verdict: result.ratio === undefined ? '' : verdict(result.ratio <= Targets.coldRatio),
    }),
    line('cold', `${result.function} loaded`, ms(result.project.loadMs), {
      baseline: result.baseline ? `baseline ${ms(result.baseline.loadMs)}` : '',
      comparison: `median of ${result.project.runs}`,
    }),
  ]);

export const warmLines = (results: readonly WarmResult[]): Line[] =>
  results.flatMap((result) => {
    const name = `${result.operation}${result.logLevel === 'info' ? ' (LOG_LEVEL=info)' : ''}`;
    return [
      line('warm', `${name} p50`, ms(result.project.p50Ms), {
        baseline: `baseline ${ms(result.baseline.p50Ms)}`,
        comparison: `${result.overheadMs >= 0 ? '+' : ''}${result.overheadMs.toFixed(2)} ms ${ratio(result.ratio)}`,
        target: `<= +${Targets.warmOverheadMs} ms`,
        verdict: verdict(result.overheadMs <= Targets.warmOverheadMs),
      }),
      line('warm', `${name} p99`, ms(result.project.p99Ms), {
        baseline: `baseline ${ms(result.baseline.p99Ms)}`,
        comparison: `${result.project.samples} samples, ${result.overheadByRoundMs.length} processes`,
      }),
    ];
  });

const describeCost = (cost: OperationCost): string =>
  `ddb ${cost.dynamodbReads}R+${cost.dynamodbWrites}W mp ${cost.mercadoPagoCalls} ev ${cost.events}`;

const describeUnits = (cost: OperationCost): string =>
  `${cost.readUnits} RRU ${cost.writeUnits} WRU, item <= ${(cost.largestItemBytes / 1000).toFixed(2)} kB`;

export const costTarget = (result: CostResult): { target: string; ok: boolean | undefined } => {
  const { project, baseline } = result;
  const total = project.dynamodbReads + project.dynamodbWrites;
  if (result.operation === 'refund') {
    const reads = project.mercadoPago['GET /v1/payments/{id}'] ?? 0;
    const refunds = project.mercadoPago['POST /v1/payments/{id}/refunds'] ?? 0;
    const t = Targets.refund;
    return {
      target: `mp <= ${t.paymentReads} read + ${t.refundCalls} refund, ddb <= ${t.dynamodbRequests}`,
      ok:
        reads <= t.paymentReads &&
        refunds <= t.refundCalls &&
        project.mercadoPagoCalls === reads + refunds &&
        total <= t.dynamodbRequests,
    };
  }
  if (result.operation === 'replay') {
    const t = Targets.replay;
    return {
      target: `ddb = ${t.dynamodbReads} read, mp ${t.mercadoPagoCalls}`,
      ok:
        project.dynamodbReads === t.dynamodbReads &&
        total === t.dynamodbRequests &&
        project.mercadoPagoCalls === t.mercadoPagoCalls,
    };
  }
  if (!baseline) return { target: 'no baseline', ok: undefined };
  return {
    target: '<= baseline',
    ok:
      total <= baseline.dynamodbReads + baseline.dynamodbWrites &&
      project.mercadoPagoCalls <= baseline.mercadoPagoCalls,
  };
};

export const costLines = (results: readonly CostResult[]): Line[] =>
  results.flatMap((result) => {
    const { target, ok } = costTarget(result);
    const actions = (counts: Record<string, number>) =>
      Object.entries(counts)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ');
    return [
      line('cost', `per ${result.operation}`, describeCost(result.project), {
        baseline: result.baseline ? `baseline ${describeCost(result.baseline)}` : '',
        target,
        verdict: ok === undefined ? '' : verdict(ok),
      }),
      line('cost', '  DynamoDB', actions(result.project.dynamodb) || 'none'),
      line('cost', '  DynamoDB request units', describeUnits(result.project), {
        baseline: result.baseline ? `baseline ${describeUnits(result.baseline)}` : '',
      }),
      line('cost', '  Mercado Pago', actions(result.project.mercadoPago) || 'none'),
    ];
  });

export const throughputLines = (results: readonly ThroughputResult[]): Line[] =>
  results.map((result) =>
    line('load', `${result.operation}s per second`, `${result.perSecond.toFixed(1)}/s`, {
      baseline: `p50 ${ms(result.p50Ms)} p99 ${ms(result.p99Ms)}`,
      comparison:
        result.operation === 'notification'
          ? `${result.requests} sent, ${((result.duplicateShare ?? 0) * 100).toFixed(0)}% duplicates`
          : `${result.requests} sent`,
      target: `answers ${Object.entries(result.answers)
        .map(([outcome, count]) => `${outcome}:${count}`)
        .join(' ')}`,
    }),
  );

export const formatLines = (lines: readonly Line[]): string =>
  lines
    .map((l) =>
      [
        l.section.padEnd(5),
        l.figure.padEnd(34),
        l.value.padStart(12),
        l.baseline.padEnd(28),
        l.comparison.padEnd(20),
        l.target.padEnd(30),
        l.verdict,
      ]
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
