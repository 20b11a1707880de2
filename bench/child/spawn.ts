/** Starts a driver process for one job and collects its result; bounded in time, output drained. */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { DriverJob, DriverResult, Invocation, SessionAnswer } from './protocol.ts';

/** Compiles driver.ts to plain JS in `outdir`, so no process in the timed path strips types. */
export const compileDriver = async (outdir: string): Promise<string> => {
  const outfile = join(outdir, 'driver.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'driver.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    logLevel: 'warning',
  });
  return outfile;
};

export interface DriverRun {
  driverFile: string;
  job: DriverJob;
  env: Record<string, string>;
  /** Where job/result files go. */
  workDir: string;
  /** The process is killed after this. */
  limitMs: number;
  /** Node flags (e.g. `--cpu-prof`); none by default, as NODE_OPTIONS is unset in the deployed functions. */
  execArgv?: string[];
}

let runs = 0;

export interface DriverOutcome extends DriverResult {
  /** Lines of events out the process wrote (one per event: a PutEvents entry when deployed). */
  eventLines: number;
}

/** Events out, as the functions write them without an event bus (and as the baselines imitate). */
const EVENT_LINE = /"detail-type":/;

export const runDriver = (run: DriverRun): Promise<DriverOutcome> => {
  const id = ++runs;
  const jobFile = join(run.workDir, `job-${id}.json`);
  const resultFile = join(run.workDir, `result-${id}.json`);
  writeFileSync(jobFile, JSON.stringify(run.job));
  return new Promise<DriverOutcome>((resolve, reject) => {
    const child = spawn(process.execPath, [...(run.execArgv ?? []), run.driverFile, jobFile, resultFile], {
      // Outside the repository, as in Lambda: nothing resolves from node_modules.
      cwd: dirname(run.job.bundles[0] ?? run.workDir),
      env: run.env,
      // stdout is a pipe, as in Lambda (log lines are written to it); drained, not kept.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let eventLines = 0;
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (EVENT_LINE.test(line)) eventLines++;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), run.limitMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        if (code !== 0) {
          throw new Error(
            `${run.job.functionName}: driver ended with ${signal ?? `code ${code}`}${signal === 'SIGKILL' ? ` after ${run.limitMs} ms` : ''}\n${stderr}`,
          );
        }
        const result = JSON.parse(readFileSync(resultFile, 'utf8')) as DriverResult;
        if (result.failures.length > 0) {
          throw new Error(`${run.job.functionName}: unexpected answers\n${result.failures.join('\n')}`);
        }
        resolve({ ...result, eventLines: eventLines + (EVENT_LINE.test(partial) ? 1 : 0) });
      } catch (error) {
        reject(error);
      } finally {
        rmSync(jobFile, { force: true });
        rmSync(resultFile, { force: true });
      }
    });
  });
};

export interface DriverSession {
  /** Runs one invocation in the session's process; rejects when its answer is not the one expected. */
  invoke(invocation: Invocation & { bundle: number }): Promise<SessionAnswer>;
  close(): Promise<void>;
}

/**
 * A driver process in session mode: the bundles loaded once, invocations sent one at a time over IPC, so the
 * bench can act between them (count each one, hand over what the previous one caused).
 */
export const openSession = async (run: Omit<DriverRun, 'job'> & { job: Omit<DriverJob, 'invocations'> }) => {
  const id = ++runs;
  const jobFile = join(run.workDir, `job-${id}.json`);
  writeFileSync(jobFile, JSON.stringify({ ...run.job, invocations: [], session: true }));
  const child = spawn(process.execPath, [...(run.execArgv ?? []), run.driverFile, jobFile, '-'], {
    cwd: dirname(run.job.bundles[0] ?? run.workDir),
    env: run.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pending = new Map<number, { resolve: (a: SessionAnswer) => void; reject: (e: Error) => void }>();
  let next = 0;
  const closed = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), run.limitMs);
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) =>
      reject(
        new Error(`${run.job.functionName}: session ended with code ${code} before it was ready\n${stderr}`),
      ),
    );
  });
  child.on('message', (message: { id?: number; answer?: SessionAnswer; error?: string }) => {
    const waiting = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiting || message.id === undefined) return;
    pending.delete(message.id);
    if (message.error) waiting.reject(new Error(`${run.job.functionName}: ${message.error}`));
    else if (message.answer?.failure)
      waiting.reject(new Error(`${run.job.functionName}: unexpected answer ${message.answer.failure}`));
    else if (message.answer) waiting.resolve(message.answer);
  });
  child.once('exit', (code, signal) => {
    for (const waiting of pending.values())
      waiting.reject(new Error(`${run.job.functionName}: session ended (${signal ?? code})\n${stderr}`));
    pending.clear();
  });
  const session: DriverSession = {
    invoke: (invocation) =>
      new Promise<SessionAnswer>((resolve, reject) => {
        const key = ++next;
        pending.set(key, { resolve, reject });
        child.send({ id: key, invocation });
      }),
    async close() {
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      await closed;
      rmSync(jobFile, { force: true });
    },
  };
  return session;
};
