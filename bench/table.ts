/**
 * Prints the figures of .bench/results.json as the markdown tables of bench/README.md:
 * `node bench/table.ts` after `npm run bench`, then paste.
 */
import { readFileSync } from 'node:fs';
import type { AssetCheck } from './cdk-assets.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { CostResult, OperationCost } from './cost.ts';
import type { EndToEndResult } from './end-to-end.ts';
import type { DrainResult, ReconcileRunFigure } from './reconcile-drain.ts';
import {
  costTarget,
  HTTP_FUNCTIONS,
  type Line,
  RESULTS_FILE,
  type RoundTripComparison,
  type SizeResult,
  type TableCheck,
  Targets,
} from './report.ts';
import type { ReportsMemoryResult } from './reports-memory.ts';
import type { ThroughputResult } from './throughput.ts';
import type { RoundTripCost, WarmResult } from './warm.ts';

interface Results {
  generatedAt: string;
  durationSeconds: number;
  machine: { node: string; cpus: number; cpuModel: string };
  assetChecks?: AssetCheck[];
  tableCheck?: TableCheck;
  sizes?: SizeResult[];
  coldStarts?: ColdStartResult[];
  warm?: WarmResult[];
  roundTrips?: RoundTripCost;
  costs?: CostResult[];
  roundTripComparison?: RoundTripComparison;
  endToEnd?: EndToEndResult;
  drain?: DrainResult;
  reports?: ReportsMemoryResult;
  throughput?: ThroughputResult[];
  lines: Line[];
}

const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results;
const ok = (pass: boolean) => (pass ? 'met' : '**missed**');
const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const x = (value: number | undefined) => (value === undefined ? '-' : `x${value.toFixed(3)}`);
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const out: string[] = [];
const misses = results.lines.filter((l) => l.verdict === 'MISS').length;
const verdicts = results.lines.filter((l) => l.verdict !== '').length;

out.push(
  `Run of ${results.generatedAt.slice(0, 10)}: Node ${results.machine.node}, ${results.machine.cpus} CPUs (${results.machine.cpuModel}), ${results.durationSeconds} s; ${verdicts - misses}/${verdicts} targets met.`,
  '',
);

if (results.sizes) {
  const refundsPeer = results.sizes.find((s) => s.peerBytes !== undefined)?.peerBytes;
  out.push(
    row([
      'Bundle (kB)',
      'Project',
      'Bare',
      'Peer',
      `Target <= ${kb(Targets.bundleBytes)}`,
      'Largest parts (kB)',
    ]),
    row(['---', '---:', '---:', '---:', '---', '---']),
  );
  for (const size of results.sizes) {
    const http = HTTP_FUNCTIONS.includes(size.function);
    out.push(
      row([
        size.function,
        kb(size.bytes),
        size.baselineBytes === undefined ? '-' : kb(size.baselineBytes),
        size.peerBytes === undefined ? '-' : kb(size.peerBytes),
        http ? ok(size.bytes <= Targets.bundleBytes) : '-',
        Object.entries(size.byOrigin)
          .slice(0, 4)
          .map(([origin, bytes]) => `${origin} ${kb(bytes)}`)
          .join(', '),
      ]),
    );
  }
  const identical = results.assetChecks?.filter((check) => check.identical).length ?? 0;
  out.push(
    '',
    `Bundles identical to the assets of \`cdk synth\`: ${identical}/${results.assetChecks?.length ?? 0}. ` +
      `Peer bundle: ${refundsPeer === undefined ? '-' : `${kb(refundsPeer)} kB`}. ` +
      `Table indexes as deployed: ${
        results.tableCheck?.deployed?.indexes.map((i) => `${i.name} ${i.projection}`).join(', ') ?? '-'
      } (bench table ${results.tableCheck?.same ? 'the same' : '**different**'}).`,
    '',
  );
}

if (results.coldStarts) {
  out.push(
    row([
      'Cold start (median, ms)',
      'Loaded',
      'First response',
      'Peer loaded',
      'Peer first',
      'Bare first',
      'Loaded / peer',
      `Target <= x${Targets.loadVsPeer}`,
      'First / peer',
      `Target <= x${Targets.firstResponseVsPeer} (aim x${Targets.firstResponseAimVsPeer})`,
      'First / bare',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---', '---:']),
  );
  for (const cold of results.coldStarts) {
    const peer = cold.peer;
    out.push(
      row([
        `${cold.function} (${cold.project.runs} runs)`,
        cold.project.loadMs.toFixed(1),
        cold.project.firstResponseMs.toFixed(1),
        peer?.loadMs.toFixed(1) ?? '-',
        peer?.firstResponseMs.toFixed(1) ?? '-',
        cold.baseline?.firstResponseMs.toFixed(1) ?? '-',
        x(cold.peerLoadRatio),
        cold.peerLoadRatio === undefined ? '-' : ok(cold.peerLoadRatio <= Targets.loadVsPeer),
        x(cold.peerRatio),
        cold.peerRatio === undefined ? '-' : ok(cold.peerRatio <= Targets.firstResponseVsPeer),
        x(cold.ratio),
      ]),
    );
  }
  out.push('');
}

if (results.warm) {
  out.push(
    row([
      'Warm',
      'p50 (ms)',
      'p99 (ms)',
      'CPU/request (ms)',
      'Peer p50',
      'Peer CPU',
      'Bare p50',
      'Bare CPU',
      'p50 / peer',
      `Target <= x${Targets.warmVsPeer}`,
      'CPU / peer',
      `Target <= x${Targets.cpuVsPeer}`,
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---']),
  );
  for (const warm of results.warm) {
    const targeted = warm.peer !== undefined && warm.operation !== 'replay';
    out.push(
      row([
        `${warm.operation}${warm.logLevel === 'info' ? ' (LOG_LEVEL=info)' : ''}`,
        warm.project.p50Ms.toFixed(2),
        warm.project.p99Ms.toFixed(2),
        warm.project.cpuMeanMs.toFixed(2),
        warm.peer?.p50Ms.toFixed(2) ?? '-',
        warm.peer?.cpuMeanMs.toFixed(2) ?? '-',
        warm.baseline.p50Ms.toFixed(2),
        warm.baseline.cpuMeanMs.toFixed(2),
        x(warm.peerRatio),
        targeted ? ok((warm.peerRatio ?? Infinity) <= Targets.warmVsPeer) : '-',
        x(warm.peerCpuRatio),
        targeted ? ok((warm.peerCpuRatio ?? Infinity) <= Targets.cpuVsPeer) : '-',
      ]),
    );
  }
  if (results.roundTrips) {
    const trips = results.roundTripComparison;
    out.push(
      '',
      `One round trip here (p50): DynamoDB ${results.roundTrips.dynamodbMs.toFixed(2)} ms (CPU ${results.roundTrips.dynamodbCpuMs.toFixed(2)} ms), Mercado Pago ${results.roundTrips.mercadoPagoMs.toFixed(2)} ms (CPU ${results.roundTrips.mercadoPagoCpuMs.toFixed(2)} ms).` +
        (trips
          ? ` Round trips per refund: project ${trips.project.dynamodb} DynamoDB + ${trips.project.mercadoPago} Mercado Pago, peer ${trips.peer.dynamodb} + ${trips.peer.mercadoPago}: the extra ones take ~${trips.extraMs.toFixed(2)} ms of the project's p50 and ~${trips.extraCpuMs.toFixed(2)} ms of its CPU here.`
          : ''),
    );
  }
  out.push('');
}

const calls = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([name, count]) => `${count} ${name}`)
    .join(', ') || 'none';
const units = (cost: OperationCost) =>
  `${cost.readUnits} RRU, ${cost.writeUnits} WRU (index ${cost.indexWriteUnits})`;

if (results.costs) {
  out.push(
    row([
      'Per operation',
      'DynamoDB requests',
      'Request units',
      'Largest item',
      'Mercado Pago calls',
      'Events',
      'Peer / bare',
      'Target',
      '',
    ]),
    row(['---', '---', '---', '---:', '---', '---:', '---', '---', '---']),
  );
  for (const cost of results.costs) {
    const { project, baseline, peer } = cost;
    const target = costTarget(cost);
    const other = peer ?? baseline;
    out.push(
      row([
        cost.operation,
        calls(project.dynamodb),
        units(project),
        `${project.largestItemBytes} B`,
        calls(project.mercadoPago),
        project.events,
        other
          ? `${peer ? 'peer' : 'bare'}: DynamoDB ${other.dynamodbReads + other.dynamodbWrites}, ${units(other)}, Mercado Pago ${other.mercadoPagoCalls}`
          : '-',
        target.target || '-',
        target.ok === undefined ? '-' : ok(target.ok),
      ]),
    );
  }
  out.push('');
}

if (results.endToEnd) {
  const e = results.endToEnd;
  const first = e.samePayment[0];
  const last = e.samePayment.at(-1);
  out.push(
    row(['Refund end to end (deployed IAM caller)', 'Figure', 'Target', '']),
    row(['---', '---', '---', '---']),
    row([
      'WRU per refund, fresh payment',
      `${e.writeUnits} (refund ${e.refund.writeUnits} + notification ${e.notification.writeUnits})`,
      `<= ${Targets.writeUnitsPerRefund}`,
      ok(e.writeUnits <= Targets.writeUnitsPerRefund),
    ]),
    row([
      'RRU per refund, fresh payment',
      `${e.readUnits} (refund ${e.refund.readUnits} + notification ${e.notification.readUnits})`,
      `<= ${Targets.readUnitsPerRefund}`,
      ok(e.readUnits <= Targets.readUnitsPerRefund),
    ]),
    row([
      'WRU by item written',
      Object.entries(e.writeUnitsByCategory)
        .sort((a, b) => b[1] - a[1])
        .map(([name, value]) => `${name} ${value}`)
        .join(', '),
      '-',
      '-',
    ]),
    row([
      'Ledger writes by the notification after a refund',
      e.ledgerWritesByNotification,
      '0',
      ok(e.ledgerWritesByNotification === 0),
    ]),
    row([
      'Ledger writes by the same notification again',
      e.noNews.duplicateNotification.ledgerWrites,
      '0',
      ok(e.noNews.duplicateNotification.ledgerWrites === 0),
    ]),
    row([
      'Ledger writes by a read of the refunds',
      e.noNews.read.ledgerWrites,
      '0',
      ok(e.noNews.read.ledgerWrites === 0),
    ]),
    row([
      `Refund ${last?.index ?? '-'} / refund 1 of one payment (WRU)`,
      `${x(e.growthRatio)} (${last?.writeUnits} / ${first?.writeUnits}; ledger ${first?.ledgerBytes} B -> ${last?.ledgerBytes} B)`,
      `<= x${Targets.growthRatio}`,
      ok(e.growthRatio <= Targets.growthRatio),
    ]),
    '',
  );
}

if (results.drain) {
  const d = results.drain;
  const runRow = (name: string, run: ReconcileRunFigure) =>
    row([
      name,
      run.due,
      (run.durationMs / 1000).toFixed(1),
      run.report.checked,
      run.report.settled,
      run.report.complete ? 'yes' : '**no**',
      run.ledgerReads,
      run.notDueReads,
      run.indexQueries,
      `${run.report.oldestPendingRefundAgeSeconds} (actual ${run.actualOldestPendingSeconds})`,
    ]);
  out.push(
    row([
      'Reconciliation run',
      'Due',
      'Seconds',
      'Checked',
      'Settled',
      'Complete',
      'Ledger reads',
      'Not-due reads',
      'Index queries',
      'Oldest pending (s)',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---', '---:', '---:', '---:', '---']),
    runRow(`${d.seededSettled} pending, settled at Mercado Pago`, d.drain),
    runRow(`${d.seededUnknown} still unknown`, d.unknownRun),
    runRow('the next run', d.idleRun),
    '',
    `Targets: the first run complete within ${Targets.drainSeconds} s (${ok(d.drain.report.complete && d.drain.durationMs <= Targets.drainSeconds * 1000)}); ` +
      `no ledger read before it is due (${ok([d.drain, d.unknownRun, d.idleRun].every((r) => r.notDueReads === 0))}); ` +
      `the oldest-pending age as read within ${Targets.oldestPendingToleranceSeconds} s of the actual (${ok(
        [d.unknownRun, d.idleRun].every(
          (r) =>
            Math.abs(r.report.oldestPendingRefundAgeSeconds - r.actualOldestPendingSeconds) <=
            Targets.oldestPendingToleranceSeconds,
        ),
      )}).`,
    '',
  );
}

if (results.reports) {
  const r = results.reports;
  const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  out.push(
    row([
      'Reports job, one run',
      'Rows',
      'File (MB)',
      'Seconds',
      'Peak RSS (MB)',
      'RSS loaded (MB)',
      'Heap peak (MB)',
      'Heap loaded (MB)',
      'Target',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
    row([
      `${r.refundRows} panel refunds recorded, ${r.day.status}`,
      r.rows,
      mb(r.fileBytes),
      (r.durationMs / 1000).toFixed(1),
      mb(r.memory.maxRssBytes),
      mb(r.memory.loadedRssBytes),
      mb(r.memory.peakHeapUsedBytes),
      mb(r.memory.loadedHeapUsedBytes),
      `<= ${Targets.reportsPeakRssMb} MB (${ok(r.memory.maxRssBytes <= Targets.reportsPeakRssMb * 1_048_576)})`,
    ]),
    '',
  );
}

if (results.throughput) {
  out.push(
    row(['Local server', 'Per second', 'p50 (ms)', 'p99 (ms)', 'Sent', 'Answers']),
    row(['---', '---:', '---:', '---:', '---:', '---']),
  );
  for (const load of results.throughput) {
    out.push(
      row([
        `${load.operation}s (${load.concurrency} connections)`,
        load.perSecond.toFixed(1),
        load.p50Ms.toFixed(1),
        load.p99Ms.toFixed(1),
        load.requests,
        Object.entries(load.answers)
          .map(([answer, count]) => `${answer} ${count}`)
          .join(', '),
      ]),
    );
  }
}
process.stdout.write(`${out.join('\n')}\n`);
