/**
 * Prints the figures of .bench/results.json as the markdown tables of bench/README.md:
 * `node bench/table.ts` after `npm run bench`, then paste.
 */
import { readFileSync } from 'node:fs';
import type { AssetCheck } from './cdk-assets.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { CostResult, OperationCost } from './cost.ts';
import { costTarget, RESULTS_FILE, type SizeResult, Targets } from './report.ts';
import type { ThroughputResult } from './throughput.ts';
import type { WarmResult } from './warm.ts';

interface Results {
  generatedAt: string;
  durationSeconds: number;
  machine: { node: string; cpus: number; cpuModel: string };
  assetChecks: AssetCheck[];
  sizes: SizeResult[];
  coldStarts: ColdStartResult[];
  warm: WarmResult[];
  costs: CostResult[];
  throughput: ThroughputResult[];
}

const results = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Results;
const ok = (pass: boolean) => (pass ? 'met' : '**missed**');
const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const out: string[] = [];

out.push(
  `Run of ${results.generatedAt.slice(0, 10)}: Node ${results.machine.node}, ${results.machine.cpus} CPUs (${results.machine.cpuModel}), ${results.durationSeconds} s.`,
  '',
  row([
    'Function',
    'Bundle (bytes)',
    'Baseline (bytes)',
    'Ratio',
    `Target <= x${Targets.sizeRatio}`,
    'Own code + zod + middy (kB)',
    'Target <= ~90 kB',
  ]),
  row(['---', '---:', '---:', '---:', '---', '---:', '---']),
);
for (const size of results.sizes) {
  out.push(
    row([
      size.function,
      size.bytes,
      size.baselineBytes ?? '-',
      size.ratio === undefined ? '-' : `x${size.ratio.toFixed(3)}`,
      size.ratio === undefined ? '-' : ok(size.ratio <= Targets.sizeRatio),
      size.ownBytes === undefined ? '-' : kb(size.ownBytes),
      size.ownBytes === undefined ? '-' : ok(size.ownBytes <= Targets.ownBytes),
    ]),
  );
}
const identical = results.assetChecks.filter((check) => check.identical).length;
out.push(
  '',
  `Bundles identical to the assets of \`cdk synth\`: ${identical}/${results.assetChecks.length}.`,
  '',
);

out.push(
  row([
    'Cold start (median, ms)',
    'Loaded',
    'First response',
    'Baseline loaded',
    'Baseline first response',
    'Ratio',
    `Target <= x${Targets.coldRatio}`,
  ]),
  row(['---', '---:', '---:', '---:', '---:', '---:', '---']),
);
for (const cold of results.coldStarts) {
  out.push(
    row([
      `${cold.function} (${cold.project.runs} runs)`,
      cold.project.loadMs.toFixed(1),
      cold.project.firstResponseMs.toFixed(1),
      cold.baseline?.loadMs.toFixed(1) ?? '-',
      cold.baseline?.firstResponseMs.toFixed(1) ?? '-',
      cold.ratio === undefined ? '-' : `x${cold.ratio.toFixed(3)}`,
      cold.ratio === undefined ? '-' : ok(cold.ratio <= Targets.coldRatio),
    ]),
  );
}

out.push(
  '',
  row([
    'Warm (ms)',
    'p50',
    'p99',
    'Baseline p50',
    'Baseline p99',
    'Overhead p50',
    `Target <= +${Targets.warmOverheadMs} ms`,
  ]),
  row(['---', '---:', '---:', '---:', '---:', '---:', '---']),
);
for (const warm of results.warm) {
  out.push(
    row([
      `${warm.operation}${warm.logLevel === 'info' ? ' (LOG_LEVEL=info)' : ''}`,
      warm.project.p50Ms.toFixed(2),
      warm.project.p99Ms.toFixed(2),
      warm.baseline.p50Ms.toFixed(2),
      warm.baseline.p99Ms.toFixed(2),
      `${warm.overheadMs >= 0 ? '+' : ''}${warm.overheadMs.toFixed(2)}`,
      ok(warm.overheadMs <= Targets.warmOverheadMs),
    ]),
  );
}

const calls = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([name, count]) => `${count} ${name}`)
    .join(', ') || 'none';
const units = (cost: OperationCost) => `${cost.readUnits} RRU, ${cost.writeUnits} WRU`;
out.push(
  '',
  row([
    'Per operation',
    'DynamoDB requests',
    'Request units',
    'Largest item',
    'Mercado Pago calls',
    'Events',
    'Baseline',
    'Target',
    '',
  ]),
  row(['---', '---', '---', '---:', '---', '---:', '---', '---', '---']),
);
for (const cost of results.costs) {
  const { project, baseline } = cost;
  const verdict = costTarget(cost).ok;
  const target =
    cost.operation === 'refund'
      ? `<= 1 payment read + 1 refund call, <= ${Targets.refund.dynamodbRequests} DynamoDB requests`
      : cost.operation === 'replay'
        ? '1 DynamoDB read, no Mercado Pago call'
        : baseline
          ? 'no more than the baseline'
          : '-';
  out.push(
    row([
      cost.operation,
      calls(project.dynamodb),
      units(project),
      `${project.largestItemBytes} B`,
      calls(project.mercadoPago),
      project.events,
      baseline
        ? `DynamoDB ${baseline.dynamodbReads + baseline.dynamodbWrites}, ${units(baseline)}, Mercado Pago ${baseline.mercadoPagoCalls}`
        : '-',
      target,
      verdict === undefined ? '-' : ok(verdict),
    ]),
  );
}

out.push(
  '',
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
process.stdout.write(`${out.join('\n')}\n`);
