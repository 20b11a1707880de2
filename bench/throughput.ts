/**
 * Throughput of the local server: its own process (bench/child/server.ts) on one core, DynamoDB, the
 * sandbox and this load generator on the other. Requests are prepared beforehand (payments in the sandbox,
 * signed notifications), then sent by `concurrency` keep-alive connections for `durationMs` at most.
 * Notifications: every one delivered once, and one in four delivered again later (Mercado Pago retries),
 * which the server must answer `duplicate`. Refunds: each of its own payment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'undici';
import type { Sandbox } from '../local/sandbox/index.ts';
import { functionEnvironment } from './environment.ts';
import type { Lab } from './lab.ts';
import { type HttpRequestInput, notificationRequest, refundRequest } from './operations.ts';
import { percentile, round } from './stats.ts';

export interface ThroughputResult {
  operation: 'notification' | 'refund';
  concurrency: number;
  requests: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by outcome: `processed`, `duplicate`, `201`..., and anything unexpected. */
  answers: Record<string, number>;
  /** Share of deliveries answered `duplicate`. */
  duplicateShare?: number;
}

const startServer = (lab: Lab): Promise<{ url: string; child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'child', 'server.ts')], {
      env: functionEnvironment({
        functionName: 'local-server',
        dynamoEndpoint: lab.services.dynamoEndpoint,
        sandboxUrl: lab.services.sandbox.url,
        logLevel: 'warn',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`local server did not start in 20 s\n${stderr}`));
    }, 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      // After the URL: event lines of the handlers, drained.
      if (ready) return;
      stdout += chunk.toString();
      const match = /BENCH_SERVER_URL (\S+)\n/.exec(stdout);
      if (match) {
        ready = true;
        clearTimeout(timer);
        resolve({ url: match[1]!, child });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`local server exited with ${code}\n${stderr}`));
    });
  });

const stopServer = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });

interface Delivery {
  request: HttpRequestInput;
}

/** Sends the deliveries in order over `concurrency` connections until done or `durationMs` passed. */
const load = async (
  url: string,
  deliveries: readonly Delivery[],
  concurrency: number,
  durationMs: number,
  outcomeOf: (status: number, body: string) => string,
) => {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const stopAt = started + durationMs;
  const worker = async () => {
    while (next < deliveries.length && performance.now() < stopAt) {
      const { request } = deliveries[next++]!;
      const before = performance.now();
      const response = await pool.request({
        method: request.method as 'POST',
        path: request.url,
        headers: { ...request.headers, ...(request.body ? { 'content-type': 'application/json' } : {}) },
        ...(request.body !== undefined ? { body: request.body } : {}),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      const body = await response.body.text();
      latencies.push(performance.now() - before);
      const outcome = outcomeOf(response.statusCode, body);
      answers[outcome] = (answers[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  await pool.close();
  return {
    requests: latencies.length,
    perSecond: round((latencies.length * 1000) / elapsedMs, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    answers,
  };
};

const notificationDeliveries = (sandbox: Sandbox, count: number): Delivery[] => {
  const originals = Array.from({ length: count }, () => ({ request: notificationRequest(sandbox) }));
  const deliveries: Delivery[] = [];
  for (const [index, delivery] of originals.entries()) {
    deliveries.push(delivery);
    // A retry of an earlier notification, some deliveries after it (never while it is certainly new).
    const retried = index - 40;
    if (retried >= 0 && retried % 4 === 0) deliveries.push(originals[retried]!);
  }
  return deliveries;
};

const refundDeliveries = (sandbox: Sandbox, count: number): Delivery[] =>
  Array.from({ length: count }, (_, index) => ({
    request: refundRequest(
      sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 }),
      `bench-throughput-${process.pid}-${index}`,
    ),
  }));

const outcomeFromBody = (status: number, body: string): string => {
  if (status !== 200) return `HTTP ${status}`;
  try {
    return String((JSON.parse(body) as { status?: unknown }).status);
  } catch {
    return 'not JSON';
  }
};

export const measureThroughput = async (
  lab: Lab,
  options: { concurrency: number; durationMs: number; maxRequests: number },
): Promise<ThroughputResult[]> => {
  const server = await startServer(lab);
  try {
    const results: ThroughputResult[] = [];
    const notifications = notificationDeliveries(lab.services.sandbox, options.maxRequests);
    const sent = await load(
      server.url,
      notifications,
      options.concurrency,
      options.durationMs,
      outcomeFromBody,
    );
    results.push({
      operation: 'notification',
      concurrency: options.concurrency,
      ...sent,
      duplicateShare: round((sent.answers.duplicate ?? 0) / Math.max(1, sent.requests), 3),
    });
    const refunds = refundDeliveries(lab.services.sandbox, options.maxRequests);
    const refunded = await load(server.url, refunds, options.concurrency, options.durationMs, (status) =>
      status === 201 ? '201' : `HTTP ${status}`,
    );
    results.push({ operation: 'refund', concurrency: options.concurrency, ...refunded });
    return results;
  } finally {
    await stopServer(server.child);
  }
};
