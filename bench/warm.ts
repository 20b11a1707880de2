/**
 * Warm latency, in-process: one process imports the function's bundle and its baseline side by side and
 * invokes their handlers alternately (function, baseline, baseline, function...), each timed around the
 * handler call, on fresh state each time, after warm-up requests to both (cold paths, JIT). A noisy
 * machine (other processes, GC, dynalite's own pauses) then weighs on both alike; several processes
 * (rounds, the import order flipped each time) add the variation between processes.
 */
import type { Invocation } from './child/protocol.ts';
import type { BenchLogLevel } from './environment.ts';
import { Deadline, drive, type Lab, type Variant } from './lab.ts';
import { replays } from './operations.ts';
import { median, percentile, round } from './stats.ts';
import type { FunctionId, Subject } from './subjects.ts';

export interface LatencyFigure {
  samples: number;
  p50Ms: number;
  p99Ms: number;
}

export interface WarmResult {
  function: FunctionId;
  /** What was timed: the function's request, or `replay` (the same refund requests again). */
  operation: string;
  logLevel: BenchLogLevel;
  project: LatencyFigure;
  baseline: LatencyFigure;
  /** p50 of the function minus p50 of the baseline (interleaved samples of the same processes). */
  overheadMs: number;
  /** The same difference in each process, to see how much it varies. */
  overheadByRoundMs: number[];
  ratio: number;
}

const figure = (latencies: number[]): LatencyFigure => ({
  samples: latencies.length,
  p50Ms: round(percentile(latencies, 50), 3),
  p99Ms: round(percentile(latencies, 99), 3),
});

export interface WarmOptions {
  warmup: number;
  measured: number;
  rounds: number;
  budgetMs: number;
}

interface Case {
  subject: Subject;
  logLevel: BenchLogLevel;
  /** The refund function is also timed on replays of the requests it just served. */
  withReplays: boolean;
}

type Tagged = Invocation & { bundle: number; timed: string | undefined };

/** Function and baseline requests alternated, the pair order flipped each time: F B B F F B... */
const interleave = (first: Invocation[], second: Invocation[], timed: string | undefined): Tagged[] =>
  first.flatMap((invocation, index) => {
    const a: Tagged = { ...invocation, bundle: 0, timed };
    const b: Tagged = { ...second[index]!, bundle: 1, timed };
    return index % 2 === 0 ? [a, b] : [b, a];
  });

export const measureWarm = async (
  lab: Lab,
  subjects: readonly Subject[],
  options: WarmOptions,
): Promise<{ results: WarmResult[]; complete: boolean }> => {
  const deadline = new Deadline(options.budgetMs);
  const cases: Case[] = subjects.flatMap((subject) => [
    { subject, logLevel: 'warn' as const, withReplays: subject.id === 'refunds' },
    // The deployed log level (one access-log line per request), on the money path only.
    ...(subject.id === 'refunds' ? [{ subject, logLevel: 'info' as const, withReplays: false }] : []),
  ]);
  const results: WarmResult[] = [];
  let complete = true;

  for (const { subject, logLevel, withReplays } of cases) {
    const samples = new Map<string, number[]>();
    const byRound = new Map<string, number[]>();
    for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
      if (deadline.passed) {
        complete = false;
        break;
      }
      const variants: Variant[] = roundIndex % 2 === 0 ? ['project', 'baseline'] : ['baseline', 'project'];
      const requests = (count: number) => subject.invocations(lab.services.sandbox, count);
      const warmup = interleave(requests(options.warmup), requests(options.warmup), undefined);
      const first = requests(options.measured);
      const second = requests(options.measured);
      const measured = interleave(first, second, operationName(subject.id));
      const replayed = withReplays ? interleave(replays(first), replays(second), 'replay') : [];
      const invocations = [...warmup, ...measured, ...replayed];
      const outcome = await drive(lab, subject, variants, invocations, { logLevel, limitMs: 90_000 });
      const roundSamples = new Map<string, number[]>();
      invocations.forEach((invocation, index) => {
        if (invocation.timed === undefined) return;
        const key = `${invocation.timed}:${variants[invocation.bundle]}`;
        const latency = outcome.latenciesMs[index]!;
        samples.set(key, [...(samples.get(key) ?? []), latency]);
        roundSamples.set(key, [...(roundSamples.get(key) ?? []), latency]);
      });
      for (const operation of new Set(invocations.flatMap((i) => (i.timed ? [i.timed] : [])))) {
        const difference =
          percentile(roundSamples.get(`${operation}:project`) ?? [], 50) -
          percentile(roundSamples.get(`${operation}:baseline`) ?? [], 50);
        byRound.set(operation, [...(byRound.get(operation) ?? []), round(difference, 3)]);
      }
    }
    for (const [operation, differences] of byRound) {
      const project = figure(samples.get(`${operation}:project`) ?? []);
      const baseline = figure(samples.get(`${operation}:baseline`) ?? []);
      results.push({
        function: subject.id,
        operation,
        logLevel,
        project,
        baseline,
        overheadMs: round(project.p50Ms - baseline.p50Ms, 3),
        overheadByRoundMs: differences,
        ratio: round(project.p50Ms / baseline.p50Ms, 3),
      });
    }
  }
  return { results, complete };
};

export const operationName = (id: FunctionId): string =>
  ({
    refunds: 'refund',
    cancellation: 'cancellation',
    orders: 'order refund',
    'qr-orders': 'qr-order',
    webhook: 'notification',
    'notification-processor': 'queued notification',
    reconcile: 'reconciliation',
    'not-found': 'unknown route',
    'event-publisher': 'stream batch',
  })[id];

/** The median of the per-process differences, for the report. */
export const typicalRoundOverhead = (result: WarmResult): number =>
  round(median(result.overheadByRoundMs), 3);
