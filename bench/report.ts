/**
 * One line per figure, with what it is compared to and its target, so a regression stands out:
 *   cold  refunds first response       131.2 ms  peer 140.3 ms      x0.935 (bare x1.08)  <= x1.00 peer  ok
 * Targets are issue 10's ("Cheaper, faster and ready for scale"); `npm run bench -- --check` exits non-zero
 * when a line says MISS. Comparisons with the bare baselines are printed without a verdict.
 */
import { join } from 'node:path';
import type { BuiltBundle } from './bundles.ts';
import type { AssetCheck } from './cdk-assets.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { CostResult, OperationCost } from './cost.ts';
import type { TableSchema } from './dynamo-usage.ts';
import type { EndToEndResult } from './end-to-end.ts';
import type { DrainResult, ReconcileRunFigure } from './reconcile-drain.ts';
import type { ReportsMemoryResult } from './reports-memory.ts';
import { round } from './stats.ts';
import type { FunctionId } from './subjects.ts';
import type { ThroughputResult } from './throughput.ts';
import type { RoundTripCost, WarmResult } from './warm.ts';

/**
 * Where `npm run bench` writes every figure, and `node bench/table.ts` reads them: an ignored folder
 * (.gitignore), so that a run never changes the tree; results depend on the machine.
 */
export const RESULTS_FILE = join(import.meta.dirname, '..', '.bench', 'results.json');

/** The functions behind the HTTP API (each bundle at most Targets.bundleBytes). */
export const HTTP_FUNCTIONS: readonly FunctionId[] = [
  'refunds',
  'cancellation',
  'qr-orders',
  'webhook',
  'not-found',
];

export const Targets = {
  /** Each HTTP function's bundle, bytes (kB = 1000 bytes, as the issue counts them). */
  bundleBytes: 700_000,
  /** Refund cold start against the peer's (medians): load (end of import) and first response. */
  loadVsPeer: 1.1,
  firstResponseVsPeer: 1.0,
  firstResponseAimVsPeer: 0.9,
  /** Warm refund p50 against the peer's, and CPU per warm refund against the peer's. */
  warmVsPeer: 1.1,
  cpuVsPeer: 1.0,
  /** A refund on a fresh payment from end to end (its notification included), with a deployed IAM caller. */
  writeUnitsPerRefund: 6,
  readUnitsPerRefund: 3,
  /** Ledger writes by a notification or read that brings no news. */
  noNewsLedgerWrites: 0,
  /** The last refund of one payment (the 20th) against its first, write units end to end. */
  growthRatio: 3,
  /** One reconciliation run drains the pending payments (complete) within its 5-minute budget. */
  drainSeconds: 300,
  /** Ledgers read before they are due, per run. */
  notDueReads: 0,
  /** The oldest-pending age a run reports, against the real one. */
  oldestPendingToleranceSeconds: 60,
  /** Peak memory (RSS, MB = 1,048,576 bytes as Lambda counts it) of the reports job on a 100,000-row report. */
  reportsPeakRssMb: 256,
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
const ratio = (value: number | undefined) => (value === undefined ? '-' : `x${value.toFixed(3)}`);
export const verdict = (ok: boolean): Verdict => (ok ? 'ok' : 'MISS');

export interface SizeResult {
  function: FunctionId;
  bytes: number;
  baselineBytes: number | undefined;
  peerBytes: number | undefined;
  /** project / baseline. */
  ratio: number | undefined;
  /** Bytes over the baseline's, by origin (project code, zod, SDK clients the baseline does not use...). */
  excessByOrigin: Record<string, number> | undefined;
  /** The bundle's bytes by origin (npm package, or `(project)`), largest first. */
  byOrigin: Record<string, number>;
}

const largestFirst = (counts: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));

export const sizeResult = (
  id: FunctionId,
  project: BuiltBundle,
  baseline: BuiltBundle | undefined,
  peer: BuiltBundle | undefined,
): SizeResult => {
  const excess: Record<string, number> = {};
  if (baseline) {
    for (const origin of new Set([
      ...Object.keys(project.bytesByOrigin),
      ...Object.keys(baseline.bytesByOrigin),
    ])) {
      const added = (project.bytesByOrigin[origin] ?? 0) - (baseline.bytesByOrigin[origin] ?? 0);
      if (Math.abs(added) >= 512) excess[origin] = added;
    }
  }
  return {
    function: id,
    bytes: project.bytes,
    baselineBytes: baseline?.bytes,
    peerBytes: peer?.bytes,
    ratio: baseline ? round(project.bytes / baseline.bytes, 3) : undefined,
    excessByOrigin: baseline ? largestFirst(excess) : undefined,
    byOrigin: largestFirst(project.bytesByOrigin),
  };
};

const topOrigins = (counts: Record<string, number>, count = 5) =>
  Object.entries(counts)
    .slice(0, count)
    .map(([origin, bytes]) => `${origin} ${(bytes / 1000).toFixed(0)}`)
    .join(', ');

export const sizeLines = (sizes: readonly SizeResult[]): Line[] =>
  sizes.flatMap((size) => {
    const http = HTTP_FUNCTIONS.includes(size.function);
    return [
      line('size', `${size.function} bundle`, kb(size.bytes), {
        baseline: size.baselineBytes === undefined ? '' : `bare ${kb(size.baselineBytes)}`,
        comparison:
          size.peerBytes !== undefined
            ? `peer ${kb(size.peerBytes)} (${ratio(size.bytes / size.peerBytes)})`
            : size.ratio === undefined
              ? ''
              : `${ratio(size.ratio)} bare`,
        target: http ? `<= ${kb(Targets.bundleBytes)}` : '',
        verdict: http ? verdict(size.bytes <= Targets.bundleBytes) : '',
      }),
      ...(http && size.function !== 'not-found'
        ? [line('size', '  largest parts (kB)', '', { baseline: topOrigins(size.byOrigin) })]
        : []),
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

export interface TableCheck {
  deployed: TableSchema | undefined;
  local: TableSchema;
  same: boolean;
}

const describeIndexes = (schema: TableSchema | undefined): string =>
  schema === undefined
    ? 'none'
    : schema.indexes
        .map(
          (index) =>
            `${index.name}(${index.keys.join(',')}) ${index.projection}${index.include.length > 0 ? `[${index.include.join(',')}]` : ''}`,
        )
        .join('; ') || 'no index';

export const tableCheck = (deployedTables: readonly TableSchema[], local: TableSchema): TableCheck => {
  const deployed = deployedTables.find((table) => table.keys.join() === local.keys.join());
  const normal = (schema: TableSchema | undefined) =>
    JSON.stringify(
      schema?.indexes
        .map((i) => ({ ...i, include: [...i.include].sort() }))
        .sort((a, b) => (a.name < b.name ? -1 : 1)),
    );
  return { deployed, local, same: deployed !== undefined && normal(deployed) === normal(local) };
};

export const tableLines = (check: TableCheck): Line[] => [
  line('cost', 'table indexes (as deployed)', describeIndexes(check.deployed), {
    baseline: check.same ? 'bench table the same' : `bench table: ${describeIndexes(check.local)}`,
    target: 'bench table = deployed',
    verdict: verdict(check.same),
  }),
];

export const coldLines = (results: readonly ColdStartResult[]): Line[] =>
  results.flatMap((result) => {
    const bare = (value: number | undefined) => (value === undefined ? '' : ` (bare ${ratio(value)})`);
    if (result.peer) {
      const firstOk = (result.peerRatio ?? Number.POSITIVE_INFINITY) <= Targets.firstResponseVsPeer;
      const aim = (result.peerRatio ?? Number.POSITIVE_INFINITY) <= Targets.firstResponseAimVsPeer;
      return [
        line('cold', `${result.function} first response`, ms(result.project.firstResponseMs), {
          baseline: `peer ${ms(result.peer.firstResponseMs)}`,
          comparison: `${ratio(result.peerRatio)}${bare(result.ratio)}`,
          target: `<= x${Targets.firstResponseVsPeer.toFixed(2)} peer (aim x${Targets.firstResponseAimVsPeer.toFixed(2)}${aim ? ' reached' : ''})`,
          verdict: verdict(firstOk),
        }),
        line('cold', `${result.function} loaded`, ms(result.project.loadMs), {
          baseline: `peer ${ms(result.peer.loadMs)}`,
          comparison: `${ratio(result.peerLoadRatio)}${bare(result.baseline ? result.project.loadMs / result.baseline.loadMs : undefined)}`,
          target: `<= x${Targets.loadVsPeer.toFixed(2)} peer`,
          verdict: verdict((result.peerLoadRatio ?? Number.POSITIVE_INFINITY) <= Targets.loadVsPeer),
        }),
        line('cold', '  runs', `${result.project.runs}`, {
          baseline: `bare first ${result.baseline ? ms(result.baseline.firstResponseMs) : '-'}`,
          comparison: `p90 ${ms(result.project.firstResponseP90Ms)}`,
        }),
      ];
    }
    return [
      line('cold', `${result.function} first response`, ms(result.project.firstResponseMs), {
        baseline: result.baseline ? `bare ${ms(result.baseline.firstResponseMs)}` : '',
        comparison:
          result.ratio === undefined ? `loaded ${ms(result.project.loadMs)}` : `${ratio(result.ratio)} bare`,
      }),
    ];
  });

export const warmLines = (results: readonly WarmResult[], roundTrips: RoundTripCost | undefined): Line[] => [
  ...results.flatMap((result) => {
    const name = `${result.operation}${result.logLevel === 'info' ? ' (LOG_LEVEL=info)' : ''}`;
    const overhead = `${result.overheadMs >= 0 ? '+' : ''}${result.overheadMs.toFixed(2)} ms bare`;
    if (result.peer && result.operation !== 'replay') {
      return [
        line('warm', `${name} p50`, ms(result.project.p50Ms), {
          baseline: `peer ${ms(result.peer.p50Ms)}`,
          comparison: `${ratio(result.peerRatio)} (${overhead})`,
          target: `<= x${Targets.warmVsPeer.toFixed(2)} peer`,
          verdict: verdict((result.peerRatio ?? Number.POSITIVE_INFINITY) <= Targets.warmVsPeer),
        }),
        line('warm', `${name} CPU per request`, ms(result.project.cpuMeanMs), {
          baseline: `peer ${ms(result.peer.cpuMeanMs)}`,
          comparison: `${ratio(result.peerCpuRatio)} (bare ${ms(result.baseline.cpuMeanMs)})`,
          target: `<= x${Targets.cpuVsPeer.toFixed(2)} peer`,
          verdict: verdict((result.peerCpuRatio ?? Number.POSITIVE_INFINITY) <= Targets.cpuVsPeer),
        }),
        line('warm', `${name} p99`, ms(result.project.p99Ms), {
          baseline: `peer ${ms(result.peer.p99Ms)}`,
          comparison: `${result.project.samples} samples, ${result.overheadByRoundMs.length} processes`,
        }),
      ];
    }
    return [
      line('warm', `${name} p50`, ms(result.project.p50Ms), {
        baseline: result.peer ? `peer ${ms(result.peer.p50Ms)}` : `bare ${ms(result.baseline.p50Ms)}`,
        comparison: result.peer ? `${ratio(result.peerRatio)} (${overhead})` : overhead,
      }),
    ];
  }),
  ...(roundTrips
    ? [
        line('warm', 'one round trip (p50)', `ddb ${ms(roundTrips.dynamodbMs)}`, {
          baseline: `Mercado Pago ${ms(roundTrips.mercadoPagoMs)}`,
          comparison: `${roundTrips.samples} samples`,
        }),
        line('warm', 'one round trip (CPU)', `ddb ${ms(roundTrips.dynamodbCpuMs)}`, {
          baseline: `Mercado Pago ${ms(roundTrips.mercadoPagoCpuMs)}`,
        }),
      ]
    : []),
];

const describeCost = (cost: OperationCost): string =>
  `ddb ${cost.dynamodbReads}R+${cost.dynamodbWrites}W mp ${cost.mercadoPagoCalls} ev ${cost.events}`;

const describeUnits = (cost: OperationCost): string =>
  `${cost.readUnits} RRU ${cost.writeUnits} WRU (index ${cost.indexWriteUnits}), item <= ${(cost.largestItemBytes / 1000).toFixed(2)} kB`;

export const costTarget = (result: CostResult): { target: string; ok: boolean | undefined } => {
  const { project, baseline } = result;
  const total = project.dynamodbReads + project.dynamodbWrites;
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
  if (result.operation === 'refund') return { target: 'end to end: see e2e', ok: undefined };
  if (!baseline) return { target: '', ok: undefined };
  return {
    target: 'requests <= bare',
    ok:
      total <= baseline.dynamodbReads + baseline.dynamodbWrites &&
      project.mercadoPagoCalls <= baseline.mercadoPagoCalls,
  };
};

const actions = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');

export const costLines = (results: readonly CostResult[]): Line[] =>
  results.flatMap((result) => {
    const { target, ok } = costTarget(result);
    const other = result.peer ?? result.baseline;
    const otherName = result.peer ? 'peer' : 'bare';
    return [
      line('cost', `per ${result.operation}`, describeCost(result.project), {
        baseline: other ? `${otherName} ${describeCost(other)}` : '',
        target,
        verdict: ok === undefined ? '' : verdict(ok),
      }),
      line('cost', '  DynamoDB', actions(result.project.dynamodb) || 'none', {
        baseline: other ? `${otherName} ${actions(other.dynamodb) || 'none'}` : '',
      }),
      line('cost', '  DynamoDB request units', describeUnits(result.project), {
        baseline: other ? `${otherName} ${describeUnits(other)}` : '',
      }),
      line('cost', '  Mercado Pago', actions(result.project.mercadoPago) || 'none'),
    ];
  });

/** Round trips per refund (DynamoDB requests + Mercado Pago calls), the project's against the peer's. */
export interface RoundTripComparison {
  project: { dynamodb: number; mercadoPago: number };
  peer: { dynamodb: number; mercadoPago: number };
  /** What the extra round trips take here (each priced at its p50 round trip), and their CPU. */
  extraMs: number;
  extraCpuMs: number;
}

export const roundTripComparison = (
  costs: readonly CostResult[],
  roundTrips: RoundTripCost | undefined,
): RoundTripComparison | undefined => {
  const refund = costs.find((cost) => cost.operation === 'refund');
  if (!refund?.peer || !roundTrips) return undefined;
  const trips = (cost: OperationCost) => ({
    dynamodb: round(cost.dynamodbReads + cost.dynamodbWrites, 2),
    mercadoPago: cost.mercadoPagoCalls,
  });
  const project = trips(refund.project);
  const peer = trips(refund.peer);
  return {
    project,
    peer,
    extraMs: round(
      (project.dynamodb - peer.dynamodb) * roundTrips.dynamodbMs +
        (project.mercadoPago - peer.mercadoPago) * roundTrips.mercadoPagoMs,
      2,
    ),
    extraCpuMs: round(
      (project.dynamodb - peer.dynamodb) * roundTrips.dynamodbCpuMs +
        (project.mercadoPago - peer.mercadoPago) * roundTrips.mercadoPagoCpuMs,
      2,
    ),
  };
};

export const roundTripLines = (comparison: RoundTripComparison | undefined): Line[] =>
  comparison
    ? [
        line(
          'warm',
          'round trips per refund',
          `${comparison.project.dynamodb} ddb + ${comparison.project.mercadoPago} mp`,
          {
            baseline: `peer ${comparison.peer.dynamodb} ddb + ${comparison.peer.mercadoPago} mp`,
            comparison: `extra ~${ms(comparison.extraMs)}, CPU ~${ms(comparison.extraCpuMs)}`,
          },
        ),
      ]
    : [];

const categories = (units: Record<string, number>) =>
  Object.entries(units)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');

export const endToEndLines = (result: EndToEndResult): Line[] => {
  const first = result.samePayment[0];
  const last = result.samePayment.at(-1);
  const noNews = (figure: string, writes: number, detail: string) =>
    line('e2e', figure, `${writes}`, {
      baseline: detail,
      target: `= ${Targets.noNewsLedgerWrites}`,
      verdict: verdict(writes <= Targets.noNewsLedgerWrites),
    });
  return [
    line('e2e', 'WRU per refund (fresh payment)', `${result.writeUnits}`, {
      baseline: `refund ${result.refund.writeUnits} + notification ${result.notification.writeUnits} + sweep ${result.sweep.writeUnits}`,
      comparison: `index ${round(result.refund.indexWriteUnits + result.notification.indexWriteUnits + result.sweep.indexWriteUnits, 2)}`,
      target: `<= ${Targets.writeUnitsPerRefund}`,
      verdict: verdict(result.writeUnits <= Targets.writeUnitsPerRefund),
    }),
    line('e2e', '  WRU by item', '', { baseline: categories(result.writeUnitsByCategory) }),
    line('e2e', 'RRU per refund (fresh payment)', `${result.readUnits}`, {
      baseline: `refund ${result.refund.readUnits} + notification ${result.notification.readUnits} + sweep ${result.sweep.readUnits}`,
      target: `<= ${Targets.readUnitsPerRefund}`,
      verdict: verdict(result.readUnits <= Targets.readUnitsPerRefund),
    }),
    line('e2e', '  sweep of new refunds', `${result.sweepReport.swept}`, {
      baseline: `swept, ${result.sweepReport.handedOver} handed over, ${result.sweepReport.failed} failed`,
      comparison: `per run besides: ${result.sweepPerRun.readUnits} RRU ${result.sweepPerRun.writeUnits} WRU (${actions(result.sweepPerRun.dynamodb)})`,
    }),
    line('e2e', '  requests per refund', actions(result.refund.dynamodb), {
      baseline: `notification: ${actions(result.notification.dynamodb)}`,
      comparison: `${result.notificationsPerRefund} notification(s)/refund`,
    }),
    line('e2e', '  writes that carry events', `${result.refund.events}`, {
      baseline: `notification ${result.notification.events}`,
      comparison: 'each wakes the publisher',
    }),
    noNews(
      'notification after a refund: ledger writes',
      result.ledgerWritesByNotification,
      `${result.notification.writeUnits} WRU`,
    ),
    noNews(
      'same notification again: ledger writes',
      result.noNews.duplicateNotification.ledgerWrites,
      `${result.noNews.duplicateNotification.writeUnits} WRU`,
    ),
    noNews(
      'read of the refunds: ledger writes',
      result.noNews.read.ledgerWrites,
      `${result.noNews.read.writeUnits} WRU, ${result.noNews.read.readUnits} RRU`,
    ),
    line('e2e', `refund ${last?.index ?? '-'} / refund 1 of a payment`, ratio(result.growthRatio), {
      baseline: `${last?.writeUnits ?? '-'} WRU / ${first?.writeUnits ?? '-'} WRU`,
      comparison: `ledger ${first?.ledgerBytes ?? '-'} B -> ${last?.ledgerBytes ?? '-'} B`,
      target: `<= x${Targets.growthRatio.toFixed(2)}`,
      verdict: verdict(result.growthRatio <= Targets.growthRatio),
    }),
  ];
};

const runSummary = (run: ReconcileRunFigure) =>
  `checked ${run.report.checked}, settled ${run.report.settled}, ${run.report.complete ? 'complete' : 'INCOMPLETE'}`;

const oldestLine = (name: string, run: ReconcileRunFigure): Line => {
  const read = run.report.oldestPendingRefundAgeSeconds;
  const ok = Math.abs(read - run.actualOldestPendingSeconds) <= Targets.oldestPendingToleranceSeconds;
  return line('drain', name, `${read} s`, {
    baseline: `actual ${run.actualOldestPendingSeconds} s`,
    target: `= actual +-${Targets.oldestPendingToleranceSeconds} s`,
    verdict: verdict(ok),
  });
};

export const drainLines = (result: DrainResult): Line[] => {
  const { drain, unknownRun, idleRun } = result;
  const drained =
    drain.report.complete &&
    drain.report.settled >= result.seededSettled &&
    drain.durationMs <= Targets.drainSeconds * 1000;
  const notDue = (name: string, run: ReconcileRunFigure) =>
    line('drain', name, `${run.notDueReads}`, {
      baseline: `ledger reads ${run.ledgerReads}, due ${run.due}`,
      comparison: `${run.indexQueries} index queries`,
      target: `= ${Targets.notDueReads}`,
      verdict: verdict(run.notDueReads <= Targets.notDueReads),
    });
  return [
    line('drain', `${result.seededSettled} pending, one run`, `${(drain.durationMs / 1000).toFixed(1)} s`, {
      baseline: runSummary(drain),
      comparison: `seeded in ${(result.seedingMs / 1000).toFixed(0)} s`,
      target: `<= ${Targets.drainSeconds} s, complete`,
      verdict: verdict(drained),
    }),
    notDue('  not-due reads (that run)', drain),
    line(
      'drain',
      `${result.seededUnknown} still unknown, a run`,
      `${(unknownRun.durationMs / 1000).toFixed(1)} s`,
      {
        baseline: runSummary(unknownRun),
      },
    ),
    notDue('  not-due reads (that run)', unknownRun),
    oldestLine('  oldest pending age read', unknownRun),
    line('drain', 'the next run (nothing due)', `${(idleRun.durationMs / 1000).toFixed(2)} s`, {
      baseline: runSummary(idleRun),
    }),
    notDue('  not-due reads (that run)', idleRun),
    oldestLine('  oldest pending age read', idleRun),
  ];
};

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

export const reportsLines = (result: ReportsMemoryResult): Line[] => {
  const { memory, day } = result;
  return [
    line(
      'mem',
      `reports job, ${result.rows.toLocaleString('en')}-row report: peak RSS`,
      mb(memory.maxRssBytes),
      {
        baseline: `loaded ${mb(memory.loadedRssBytes)}, file ${mb(result.fileBytes)}`,
        comparison: `run ${(result.durationMs / 1000).toFixed(1)} s`,
        target: `<= ${Targets.reportsPeakRssMb} MB`,
        verdict: verdict(memory.maxRssBytes <= Targets.reportsPeakRssMb * 1_048_576),
      },
    ),
    line('mem', '  heap used: sampled peak', mb(memory.peakHeapUsedBytes), {
      baseline: `loaded ${mb(memory.loadedHeapUsedBytes)}, +${mb(memory.peakHeapUsedBytes - memory.loadedHeapUsedBytes)}`,
      comparison: `reserved ${mb(memory.peakHeapTotalBytes)}, external ${mb(memory.peakExternalBytes)}`,
      target: '(garbage included)',
    }),
    line('mem', '  the day as the run left it', day.status, {
      baseline: `rows ${day.counts.rows}, recorded external ${day.counts.recordedExternal}`,
      comparison: `discrepancies ${day.counts.discrepancies}`,
    }),
  ];
};

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
        l.figure.padEnd(42),
        l.value.padStart(14),
        l.baseline.padEnd(30),
        l.comparison.padEnd(22),
        l.target.padEnd(30),
        l.verdict,
      ]
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
