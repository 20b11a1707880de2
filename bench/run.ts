/**
 * `npm run bench`: bundle sizes, cold starts, warm latency and CPU, cost per operation and per refund end to
 * end, the reconciliation drain, the reports job's memory on a 100,000-row report and throughput of the functions, each beside the peer (the refund as a user
 * would assemble it, bench/peer/), a bare baseline making the same calls (bench/baseline/) and its target.
 * Prints one line per figure and writes .bench/results.json (not tracked).
 *   --check     exit 1 when a figure misses its target (without it the run exits 0 whatever the figures)
 *   --quick     fewer runs and a smaller drain (figures not to be quoted)
 *   --only=a,b  only these phases: size, cold, warm, cost, e2e, drain, reports, load
 *   --cpu-prof  profiles instead of measuring (bench/profile.ts; --subject=refunds: that function only).
 * See bench/README.md.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleAsDeployed } from './bundles.ts';
import type { compareWithCdkAssets } from './cdk-assets.ts';
import { compileDriver } from './child/spawn.ts';
import { measureColdStarts } from './cold-start.ts';
import { measureCosts } from './cost.ts';
import { measureEndToEnd } from './end-to-end.ts';
import type { Lab } from './lab.ts';
import { profileSubjects } from './profile.ts';
import { measureReconcileDrain } from './reconcile-drain.ts';
import {
  assetLines,
  coldLines,
  costLines,
  drainLines,
  endToEndLines,
  formatLines,
  type Line,
  RESULTS_FILE,
  reportsLines,
  roundTripComparison,
  roundTripLines,
  sizeLines,
  sizeResult,
  Targets,
  tableCheck,
  tableLines,
  throughputLines,
  warmLines,
} from './report.ts';
import { measureReportsMemory } from './reports-memory.ts';
import { startServices, TABLE_NAME } from './services.ts';
import { SUBJECTS, type Subject, variantEntries } from './subjects.ts';
import { measureThroughput } from './throughput.ts';
import { measureWarm } from './warm.ts';

const PHASES = ['size', 'cold', 'warm', 'cost', 'e2e', 'drain', 'reports', 'load'] as const;
type Phase = (typeof PHASES)[number];

const quick = process.argv.includes('--quick');
const check = process.argv.includes('--check');
const cpuProfile = process.argv.includes('--cpu-prof');
const onlyArgument = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set<Phase>(
  onlyArgument
    ? (onlyArgument.split(',').filter((p) => (PHASES as readonly string[]).includes(p)) as Phase[])
    : PHASES,
);

/**
 * Each phase has its own budget; together they keep the run under ~8 minutes on 2 cores shared with other
 * work (cold 90 s, warm 100 s, cost and end to end ~1 min, the drain what its one run takes: at most 5 min,
 * the reports job's one run over its 100,000-row report ~30-60 s).
 */
const settings = {
  coldRuns: quick ? 5 : 30,
  coldBudgetMs: 90_000,
  warm: { warmup: 30, measured: quick ? 40 : 120, rounds: quick ? 2 : 3, budgetMs: 100_000 },
  costOperations: quick ? 5 : 10,
  endToEnd: { count: quick ? 5 : 20, sameCount: 20 },
  drain: { settled: quick ? 1_000 : 10_000, unknown: quick ? 100 : 1_000 },
  reports: { rows: 100_000, refunds: 500 },
  throughput: { concurrency: 16, durationMs: quick ? 2_000 : 5_000, maxRequests: quick ? 1_000 : 4_000 },
};

const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(0)} s`;
const progress = (message: string) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);
const printed: Line[] = [];
const print = (lines: Line[]) => {
  printed.push(...lines);
  process.stdout.write(`${formatLines(lines)}\n`);
};

const buildBundles = async (workDir: string): Promise<Lab['bundles']> => {
  const bundles: Lab['bundles'] = {};
  const builds = SUBJECTS.flatMap((subject) =>
    variantEntries(subject).map(([variant, entry]) =>
      bundleAsDeployed(entry, join(workDir, subject.id, variant)).then((bundle) => {
        bundles[`${subject.id}:${variant}`] = bundle;
      }),
    ),
  );
  await Promise.all(builds);
  return bundles;
};

const subject = (id: Subject['id']): Subject => {
  const found = SUBJECTS.find((s) => s.id === id);
  if (!found) throw new Error(`no subject ${id}`);
  return found;
};

type CdkCheck = ReturnType<typeof compareWithCdkAssets>;

/** compareWithCdkAssets in a child process (child/cdk-check.ts): a minute of synthesis, off the timed phases. */
const startCdkCheck = (lab: Lab): Promise<CdkCheck> => {
  const bundlesFile = join(lab.workDir, 'cdk-bundles.json');
  const resultFile = join(lab.workDir, 'cdk-check.json');
  writeFileSync(
    bundlesFile,
    JSON.stringify(Object.fromEntries(SUBJECTS.map((s) => [s.id, lab.bundles[`${s.id}:project`]]))),
  );
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(import.meta.dirname, 'child', 'cdk-check.ts'), bundlesFile, resultFile],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`cdk synth check failed: ${error.message}\n${stderr.slice(-2000)}`));
        else resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as CdkCheck);
      },
    );
  });
};

const measureAll = async (lab: Lab): Promise<void> => {
  const results: Record<string, unknown> = {};
  const incomplete: string[] = [];
  // The synthesis runs beside the untimed phases (cost, end to end), or at once when no timed phase comes.
  let cdkCheck: Promise<CdkCheck> | undefined =
    only.has('size') && !only.has('cold') && !only.has('warm') ? startCdkCheck(lab) : undefined;

  const reportSizes = async () => {
    if (!only.has('size')) return;
    progress('bundles against the assets cdk synth builds, and the table against the deployed one');
    const { checks, tables } = await (cdkCheck ?? startCdkCheck(lab));
    print(assetLines(checks));
    const table = tableCheck(tables, await lab.services.proxy.schemaOf(TABLE_NAME));
    const sizes = SUBJECTS.map((s) =>
      sizeResult(
        s.id,
        lab.bundles[`${s.id}:project`]!,
        lab.bundles[`${s.id}:baseline`],
        lab.bundles[`${s.id}:peer`],
      ),
    );
    print(sizeLines(sizes));
    print(tableLines(table));
    Object.assign(results, { assetChecks: checks, tableCheck: table, sizes });
  };

  if (only.has('cold')) {
    progress(`cold starts: ${settings.coldRuns} fresh processes per bundle, one after the other`);
    const cold = await measureColdStarts(lab, SUBJECTS, {
      runs: settings.coldRuns,
      budgetMs: settings.coldBudgetMs,
    });
    print(coldLines(cold.results));
    if (!cold.complete) incomplete.push('cold');
    results.coldStarts = cold.results;
  }

  let roundTrips: Awaited<ReturnType<typeof measureWarm>>['roundTrips'];
  if (only.has('warm')) {
    progress('warm latency and CPU, in-process: function, bare baseline and peer in turns');
    const withBaseline = SUBJECTS.filter((s) => s.baselineEntry !== undefined);
    const warm = await measureWarm(lab, withBaseline, settings.warm);
    roundTrips = warm.roundTrips;
    print(warmLines(warm.results, warm.roundTrips));
    if (!warm.complete) incomplete.push('warm');
    Object.assign(results, { warm: warm.results, roundTrips: warm.roundTrips });
  }

  if (only.has('size') && cdkCheck === undefined && (only.has('cost') || only.has('e2e')))
    cdkCheck = startCdkCheck(lab);
  if (only.has('cost')) {
    progress(`cost: calls and request units over ${settings.costOperations} operations of each kind`);
    const costs = await measureCosts(lab, SUBJECTS, settings.costOperations);
    print(costLines(costs));
    const comparison = roundTripComparison(costs, roundTrips);
    print(roundTripLines(comparison));
    Object.assign(results, { costs, roundTripComparison: comparison });
  }

  if (only.has('e2e')) {
    progress(
      `end to end: ${settings.endToEnd.count} refunds of fresh payments and ${settings.endToEnd.sameCount} of one payment, with their notifications`,
    );
    const endToEnd = await measureEndToEnd(
      lab,
      { refunds: subject('refunds'), webhook: subject('webhook') },
      settings.endToEnd,
    );
    print(endToEndLines(endToEnd));
    results.endToEnd = endToEnd;
  }

  await reportSizes();

  if (only.has('load')) {
    progress(`throughput of the local server: ${settings.throughput.concurrency} connections`);
    const throughput = await measureThroughput(lab, settings.throughput);
    print(throughputLines(throughput));
    results.throughput = throughput;
  }

  if (only.has('drain')) {
    progress(
      `reconciliation: ${settings.drain.settled} pending payments settled at Mercado Pago, one run of the reconcile bundle`,
    );
    const drain = await measureReconcileDrain(
      lab,
      { refunds: subject('refunds'), reconcile: subject('reconcile') },
      settings.drain,
    );
    print(drainLines(drain));
    results.drain = drain;
  }

  if (only.has('reports')) {
    progress(
      `reports job: one run of its bundle over a ${settings.reports.rows.toLocaleString('en')}-row settlement report (${settings.reports.refunds} refunds made in the panel)`,
    );
    const reports = await measureReportsMemory(lab, settings.reports);
    print(reportsLines(reports));
    results.reports = reports;
  }

  if (incomplete.length > 0)
    progress(`time budget reached: fewer runs than planned in ${incomplete.join(', ')}`);
  const misses = printed.filter((l) => l.verdict === 'MISS');
  progress(`done in ${elapsed()}: ${misses.length} figure(s) miss their target`);

  const written = {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    quick,
    phases: [...only],
    incomplete,
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
    settings,
    targets: Targets,
    ...results,
    lines: printed,
  };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(written, null, 2)}\n`);
  progress(`wrote ${RESULTS_FILE}`);
  if (check && misses.length > 0) {
    process.stderr.write(`--check: ${misses.map((l) => `${l.section} ${l.figure.trim()}`).join('; ')}\n`);
    process.exitCode = 1;
  }
};

const profile = async (lab: Lab): Promise<void> => {
  const directory = mkdtempSync(join(tmpdir(), 'bench-profiles-'));
  progress(`profiling a cold and a warm run of each HTTP function and its baseline into ${directory}`);
  const named = process.argv.find((a) => a.startsWith('--subject='))?.slice('--subject='.length);
  const withBaseline = SUBJECTS.filter(
    (s) => s.baselineEntry !== undefined && (named === undefined || s.id === named),
  );
  const reports = await profileSubjects(lab, withBaseline, directory, { warmup: 30, measured: 300 });
  process.stdout.write(`${reports.join('\n\n')}\n`);
  progress(`profiles kept in ${directory} (open them in Chrome DevTools)`);
};

const workDir = mkdtempSync(join(tmpdir(), 'bench-'));
const services = await startServices();
try {
  progress(`bundling ${SUBJECTS.length} functions, their baselines and the peer as the stack does`);
  const bundles = await buildBundles(workDir);
  const lab: Lab = { services, driverFile: await compileDriver(workDir), workDir, bundles, quick };
  if (cpuProfile) await profile(lab);
  else await measureAll(lab);
} finally {
  await services.close();
  rmSync(workDir, { recursive: true, force: true });
}
