/** Starts a driver process for one job and collects its result; bounded in time, output drained. */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import type { DriverJob, DriverResult } from './protocol.ts';

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
