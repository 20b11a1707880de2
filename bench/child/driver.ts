/**
 * Runs in a fresh Node process per measurement, compiled to plain JS by the bench (no type stripping in the
 * timed path): imports the job's bundles as the Lambda runtime would (one for a cold start; a function and
 * its baseline, side by side, for warm runs), invokes their handlers with the job's events one after
 * another, and writes what it timed. Times are `performance.now()`: ms since this process started, so
 * the cold figure covers Node's own start, the bundle's load and the first request. CPU time per invocation
 * is `process.cpuUsage()` (user + system) around the handler call: this process runs nothing else meanwhile.
 * Memory: the process's peak RSS at the end (`VmHWM` of /proc/self/status: this process image's own high-water
 * mark; `process.resourceUsage().maxRSS` would carry the RSS of the bench process it was forked from, since Linux
 * keeps the forked copy's high-water mark across exec), RSS and heap once loaded, and, when the job asks, the heap
 * used sampled while the invocations run.
 * Usage: node driver.mjs <job.json> <result.json> (or, with job.session, invocations over IPC).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DriverJob, DriverResult } from './protocol.ts';

const [jobFile, resultFile] = process.argv.slice(2) as [string, string];
const startedMs = performance.now();
const job = JSON.parse(readFileSync(jobFile, 'utf8')) as DriverJob;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** This process's peak RSS (`VmHWM`, kB); elsewhere than Linux, `maxRSS`. */
const peakRssBytes = (): number => {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmHWM:'));
    const kb = Number(line?.replace(/[^0-9]/g, ''));
    if (Number.isFinite(kb) && kb > 0) return kb * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
};

const context = (functionName: string, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
};

const statusOf = (result: unknown): number | undefined =>
  typeof result === 'object' && result !== null && 'statusCode' in result
    ? Number((result as { statusCode: unknown }).statusCode)
    : undefined;

const bodyOf = (result: unknown): string =>
  typeof result === 'object' && result !== null && 'body' in result
    ? String((result as { body: unknown }).body).slice(0, 500)
    : (JSON.stringify(result)?.slice(0, 500) ?? '');

interface Answer {
  latencyMs: number;
  cpuMicros: number;
  status: number | undefined;
  body: string;
  failure: string | undefined;
}

/** One invocation, timed, its answer checked against what the job expects. */
const invoke = async (handlers: Handler[], invocation: DriverJob['invocations'][number]): Promise<Answer> => {
  const handler = handlers[invocation.bundle];
  if (!handler) throw new Error(`no bundle #${invocation.bundle}`);
  const cpuBefore = process.cpuUsage();
  const before = performance.now();
  const result = await handler(invocation.event, context(job.functionName, job.timeoutMs));
  const after = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  const status = statusOf(result) ?? (invocation.expect.status === undefined ? undefined : -1);
  const body = bodyOf(result);
  const statusOk = invocation.expect.status === undefined || status === invocation.expect.status;
  const bodyOk =
    invocation.expect.bodyIncludes === undefined || body.includes(invocation.expect.bodyIncludes);
  return {
    latencyMs: after - before,
    cpuMicros: cpu.user + cpu.system,
    status,
    body,
    failure: statusOk && bodyOk ? undefined : `${invocation.label}: got ${status} ${body}`,
  };
};

const load = async (): Promise<Handler[]> => {
  const handlers: Handler[] = [];
  for (const bundle of job.bundles) {
    handlers.push(((await import(pathToFileURL(bundle).href)) as { handler: Handler }).handler);
  }
  return handlers;
};

const run = async (): Promise<DriverResult> => {
  const handlers = await load();
  const loadedMs = performance.now();
  const loaded = process.memoryUsage();
  let peakHeapUsedBytes = 0;
  let peakHeapTotalBytes = 0;
  let peakExternalBytes = 0;
  const sampleHeap = () => {
    const now = process.memoryUsage();
    peakHeapUsedBytes = Math.max(peakHeapUsedBytes, now.heapUsed);
    peakHeapTotalBytes = Math.max(peakHeapTotalBytes, now.heapTotal);
    peakExternalBytes = Math.max(peakExternalBytes, now.external);
  };
  const sampler = job.sampleHeapMs ? setInterval(sampleHeap, job.sampleHeapMs) : undefined;
  const latenciesMs: number[] = [];
  const cpuMicros: number[] = [];
  const answers: string[] = [];
  const failures: string[] = [];
  let firstResponseMs = Number.NaN;
  for (const [index, invocation] of job.invocations.entries()) {
    const answer = await invoke(handlers, invocation);
    if (index === 0) firstResponseMs = performance.now();
    latenciesMs.push(answer.latencyMs);
    cpuMicros.push(answer.cpuMicros);
    if (job.keepAnswers) answers.push(answer.body);
    if (answer.failure && failures.length < 5) failures.push(`#${index} ${answer.failure}`);
  }
  if (sampler) {
    clearInterval(sampler);
    sampleHeap();
  }
  const memory = {
    maxRssBytes: peakRssBytes(),
    loadedRssBytes: loaded.rss,
    loadedHeapUsedBytes: loaded.heapUsed,
    peakHeapUsedBytes,
    peakHeapTotalBytes,
    peakExternalBytes,
  };
  return { startedMs, loadedMs, firstResponseMs, latenciesMs, cpuMicros, answers, failures, memory };
};

/**
 * Session mode (job.session): the bundles are loaded once, then each invocation comes as an IPC message and
 * its answer goes back as one, until the bench disconnects. For measurements that need the bench to act
 * between invocations (count, or hand the webhook what the sandbox just sent).
 */
const serve = async (): Promise<void> => {
  const handlers = await load();
  process.on('message', (message: { id: number; invocation: DriverJob['invocations'][number] }) => {
    invoke(handlers, message.invocation).then(
      (answer) => process.send?.({ id: message.id, answer }),
      (error: unknown) =>
        process.send?.({
          id: message.id,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true });
};

if (job.session) {
  serve().catch((error: unknown) => {
    process.stderr.write(
      `driver failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
} else {
  run().then(
    (result) => {
      writeFileSync(resultFile, JSON.stringify(result));
      // Lambda freezes the process after the answer: keep-alive sockets must not hold the bench up.
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(
        `driver failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
