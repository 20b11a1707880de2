/**
 * Runs in a fresh Node process per measurement, compiled to plain JS by the bench (no type stripping in the
 * timed path): imports the job's bundles as the Lambda runtime would (one for a cold start; a function and
 * its baseline, side by side, for warm runs), invokes their handlers with the job's events one after
 * another, and writes what it timed. Times are `performance.now()`: ms since this process started, so
 * the cold figure covers Node's own start, the bundle's load and the first request. CPU time per invocation
 * is `process.cpuUsage()` (user + system) around the handler call: this process runs nothing else meanwhile.
 * Usage: node driver.mjs <job.json> <result.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DriverJob, DriverResult } from './protocol.ts';

const [jobFile, resultFile] = process.argv.slice(2) as [string, string];
const startedMs = performance.now();
const job = JSON.parse(readFileSync(jobFile, 'utf8')) as DriverJob;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

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

const run = async (): Promise<DriverResult> => {
  const handlers: Handler[] = [];
  for (const bundle of job.bundles) {
    handlers.push(((await import(pathToFileURL(bundle).href)) as { handler: Handler }).handler);
  }
  const loadedMs = performance.now();
  const latenciesMs: number[] = [];
  const cpuMicros: number[] = [];
  const answers: string[] = [];
  const failures: string[] = [];
  let firstResponseMs = Number.NaN;
  for (const [index, invocation] of job.invocations.entries()) {
    const handler = handlers[invocation.bundle];
    if (!handler) throw new Error(`no bundle #${invocation.bundle}`);
    const cpuBefore = process.cpuUsage();
    const before = performance.now();
    const result = await handler(invocation.event, context(job.functionName, job.timeoutMs));
    const after = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    if (index === 0) firstResponseMs = after;
    latenciesMs.push(after - before);
    cpuMicros.push(cpu.user + cpu.system);
    const status = statusOf(result) ?? (invocation.expect.status === undefined ? undefined : -1);
    const body = bodyOf(result);
    if (job.keepAnswers) answers.push(body);
    const statusOk = invocation.expect.status === undefined || status === invocation.expect.status;
    const bodyOk =
      invocation.expect.bodyIncludes === undefined || body.includes(invocation.expect.bodyIncludes);
    if ((!statusOk || !bodyOk) && failures.length < 5) {
      failures.push(`#${index} ${invocation.label}: got ${status} ${body}`);
    }
  }
  return { startedMs, loadedMs, firstResponseMs, latenciesMs, cpuMicros, answers, failures };
};

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
