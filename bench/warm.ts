/**
 * Warm latency and CPU, in-process: one process imports the function's bundle, its baseline and (for the
 * refund) the peer side by side and invokes their handlers in turns (the order rotating every request), each
 * timed around the handler call, with its CPU time (process.cpuUsage) on fresh state each time, after
 * warm-up requests to each (cold paths, JIT). A noisy machine (other processes, GC, dynalite's own pauses)
 * then weighs on all alike; several processes (rounds, the order reversed each time) add the variation
 * between processes. Beside the refund, a probe times one DynamoDB and one Mercado Pago round trip, to
 * price the round trips each handler makes.
 */
import type { Invocation } from './child/protocol.ts';
import type { BenchLogLevel } from './environment.ts';
import { Deadline, drive, type Lab, type Variant } from './lab.ts';
import { replays } from './operations.ts';
import { median, percentile, round } from './stats.ts';
import { type FunctionId, type Subject, variantEntries } from './subjects.ts';

export interface LatencyFigure {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time per request (user + system), mean and median, in ms. */
  cpuMeanMs: number;
  cpuP50Ms: number;
}

export interface WarmResult {
  function: FunctionId;
  /** What was timed: the function's request, or `replay` (the same refund requests again). */
  operation: string;
  logLevel: BenchLogLevel;
  project: LatencyFigure;
  baseline: LatencyFigure;
  peer: LatencyFigure | undefined;
  /** p50 of the function minus p50 of the baseline (interleaved samples of the same processes). */
  overheadMs: number;
  /** The same difference in each process, to see how much it varies. */
  overheadByRoundMs: number[];
  /** project / baseline, p50. */
  ratio: number;
  /** project / peer: p50, and mean CPU per request. */
  peerRatio: number | undefined;
  peerCpuRatio: number | undefined;
}

/** One round trip, timed warm in the same processes as the refund (p50, ms), and its CPU (mean, ms). */
export interface RoundTripCost {
  dynamodbMs: number;
  mercadoPagoMs: number;
  dynamodbCpuMs: number;
  mercadoPagoCpuMs: number;
  samples: number;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

const figure = (latencies: number[], cpuMicros: number[]): LatencyFigure => ({
  samples: latencies.length,
  p50Ms: round(percentile(latencies, 50), 3),
  p99Ms: round(percentile(latencies, 99), 3),
  cpuMeanMs: round(cpuMicros.reduce((a, b) => a + b, 0) / Math.max(1, cpuMicros.length) / 1000, 3),
  cpuP50Ms: round(percentile(cpuMicros, 50) / 1000, 3),
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
  variants: Variant[];
}

type Tagged = Invocation & { bundle: number; timed: string | undefined };

/** The probe's requests: a DynamoDB and a Mercado Pago round trip in turns, on one existing payment. */
const probeRequests = (lab: Lab, count: number): Invocation[] => {
  const paymentId = lab.services.sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 });
  return Array.from({ length: count }, (_, index) => ({
    label: `probe ${index}`,
    event: { kind: index % 2 === 0 ? 'dynamodb' : 'mercadopago', paymentId },
    expect: { status: 200 },
  }));
};

/**
 * Each variant's i-th request, the variants in a rotating order (reversed in odd processes), so none is
 * always first or always after the same one.
 */
const interleave = (
  perVariant: Invocation[][],
  timed: (variant: number, invocation: Invocation) => string | undefined,
  reversed: boolean,
): Tagged[] => {
  const count = Math.min(...perVariant.map((list) => list.length));
  const out: Tagged[] = [];
  for (let index = 0; index < count; index++) {
    const order = perVariant.map((_, v) => (v + index) % perVariant.length);
    if (reversed) order.reverse();
    for (const v of order) {
      const invocation = perVariant[v]![index]!;
      out.push({ ...invocation, bundle: v, timed: timed(v, invocation) });
    }
  }
  return out;
};

export const measureWarm = async (
  lab: Lab,
  subjects: readonly Subject[],
  options: WarmOptions,
): Promise<{ results: WarmResult[]; roundTrips: RoundTripCost | undefined; complete: boolean }> => {
  const deadline = new Deadline(options.budgetMs);
  const cases: Case[] = subjects.flatMap((subject) => {
    const all = variantEntries(subject).map(([variant]) => variant);
    return [
      { subject, logLevel: 'warn' as const, withReplays: subject.id === 'refunds', variants: all },
      // The deployed log level (one access-log line per request), on the money path only.
      ...(subject.id === 'refunds'
        ? [
            {
              subject,
              logLevel: 'info' as const,
              withReplays: false,
              variants: all.filter((v) => v !== 'probe'),
            },
          ]
        : []),
    ];
  });
  const results: WarmResult[] = [];
  const probeSamples = { dynamodb: [] as number[], mercadopago: [] as number[] };
  const probeCpu = { dynamodb: [] as number[], mercadopago: [] as number[] };
  let complete = true;

  for (const { subject, logLevel, withReplays, variants: caseVariants } of cases) {
    const latencies = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const byRound = new Map<string, number[]>();
    for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
      if (deadline.passed) {
        complete = false;
        break;
      }
      const variants = roundIndex % 2 === 0 ? caseVariants : [...caseVariants].reverse();
      const requests = (variant: Variant, count: number) =>
        variant === 'probe' ? probeRequests(lab, count) : subject.invocations(lab.services.sandbox, count);
      const operation = operationName(subject.id);
      const timedAs = (label: string) => (v: number, invocation: Invocation) =>
        variants[v] === 'probe' ? `probe:${(invocation.event as { kind: string }).kind}` : label;
      const warmup = interleave(
        variants.map((v) => requests(v, options.warmup)),
        () => undefined,
        roundIndex % 2 === 1,
      );
      const firsts = variants.map((v) => requests(v, options.measured));
      const measured = interleave(firsts, timedAs(operation), roundIndex % 2 === 1);
      const replayed = withReplays
        ? interleave(
            firsts.map((list, v) => (variants[v] === 'probe' ? list : replays(list))),
            timedAs('replay'),
            roundIndex % 2 === 1,
          )
        : [];
      const invocations = [...warmup, ...measured, ...replayed];
      const outcome = await drive(lab, subject, variants, invocations, { logLevel, limitMs: 120_000 });
      const roundLatencies = new Map<string, number[]>();
      invocations.forEach((invocation, index) => {
        if (invocation.timed === undefined) return;
        const latency = outcome.latenciesMs[index]!;
        if (invocation.timed.startsWith('probe:')) {
          const kind = invocation.timed === 'probe:dynamodb' ? 'dynamodb' : 'mercadopago';
          probeSamples[kind].push(latency);
          probeCpu[kind].push(outcome.cpuMicros[index]!);
          return;
        }
        const key = `${invocation.timed}:${variants[invocation.bundle]}`;
        latencies.set(key, [...(latencies.get(key) ?? []), latency]);
        cpu.set(key, [...(cpu.get(key) ?? []), outcome.cpuMicros[index]!]);
        roundLatencies.set(key, [...(roundLatencies.get(key) ?? []), latency]);
      });
      for (const timed of new Set(
        invocations.flatMap((i) => (i.timed && !i.timed.startsWith('probe:') ? [i.timed] : [])),
      )) {
        const difference =
          percentile(roundLatencies.get(`${timed}:project`) ?? [], 50) -
          percentile(roundLatencies.get(`${timed}:baseline`) ?? [], 50);
        byRound.set(timed, [...(byRound.get(timed) ?? []), round(difference, 3)]);
      }
    }
    for (const [operation, differences] of byRound) {
      const of = (variant: Variant) =>
        figure(latencies.get(`${operation}:${variant}`) ?? [], cpu.get(`${operation}:${variant}`) ?? []);
      const project = of('project');
      const baseline = of('baseline');
      const peer = caseVariants.includes('peer') ? of('peer') : undefined;
      results.push({
        function: subject.id,
        operation,
        logLevel,
        project,
        baseline,
        peer,
        overheadMs: round(project.p50Ms - baseline.p50Ms, 3),
        overheadByRoundMs: differences,
        ratio: round(project.p50Ms / baseline.p50Ms, 3),
        peerRatio: peer ? round(project.p50Ms / peer.p50Ms, 3) : undefined,
        peerCpuRatio: peer ? round(project.cpuMeanMs / peer.cpuMeanMs, 3) : undefined,
      });
    }
  }
  const roundTrips =
    probeSamples.dynamodb.length > 0
      ? {
          dynamodbMs: round(percentile(probeSamples.dynamodb, 50), 3),
          mercadoPagoMs: round(percentile(probeSamples.mercadopago, 50), 3),
          dynamodbCpuMs: round(mean(probeCpu.dynamodb) / 1000, 3),
          mercadoPagoCpuMs: round(mean(probeCpu.mercadopago) / 1000, 3),
          samples: probeSamples.dynamodb.length + probeSamples.mercadopago.length,
        }
      : undefined;
  return { results, roundTrips, complete };
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
    reports: 'reports listing',
    'reports-job': 'settlement report',
    'not-found': 'unknown route',
    'event-publisher': 'stream batch',
    ops: 'operator request',
  })[id];

/** The median of the per-process differences, for the report. */
export const typicalRoundOverhead = (result: WarmResult): number =>
  round(median(result.overheadByRoundMs), 3);
