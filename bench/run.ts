/**
 * `npm run bench`: bundle sizes, cold starts, warm latency, cost per operation and throughput of the
 * functions, each beside a bare baseline making the same calls (bench/baseline/) and its target. Prints one
 * line per figure and writes .bench/results.json (not tracked). `--quick`: fewer runs (figures not to be
 * quoted).
 * `--cpu-prof`: profiles instead of measuring (bench/profile.ts). See bench/README.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleAsDeployed } from './bundles.ts';
import { compareWithCdkAssets } from './cdk-assets.ts';
import { compileDriver } from './child/spawn.ts';
import { measureColdStarts } from './cold-start.ts';
import { measureCosts } from './cost.ts';
import type { Lab } from './lab.ts';
import { profileSubjects } from './profile.ts';
import {
  assetLines,
  coldLines,
  costLines,
  formatLines,
  type Line,
  RESULTS_FILE,
  sizeLines,
  sizeResult,
  Targets,
  throughputLines,
  warmLines,
} from './report.ts';
import { startServices } from './services.ts';
import { SUBJECTS } from './subjects.ts';
import { measureThroughput } from './throughput.ts';
import { measureWarm } from './warm.ts';

const quick = process.argv.includes('--quick');
const cpuProfile = process.argv.includes('--cpu-prof');
/** Each phase has its own budget; together they keep the run under 5 minutes on 2 cores. */
const settings = {
  coldRuns: quick ? 5 : 30,
  coldBudgetMs: 120_000,
  warm: { warmup: 30, measured: quick ? 40 : 120, rounds: quick ? 2 : 3, budgetMs: 90_000 },
  costOperations: quick ? 5 : 20,
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
  const builds = SUBJECTS.flatMap((subject) => [
    bundleAsDeployed(subject.entry, join(workDir, subject.id, 'project')).then((bundle) => {
      bundles[`${subject.id}:project`] = bundle;
    }),
    ...(subject.baselineEntry === undefined
      ? []
      : [
          bundleAsDeployed(subject.baselineEntry, join(workDir, subject.id, 'baseline')).then((bundle) => {
            bundles[`${subject.id}:baseline`] = bundle;
          }),
        ]),
  ]);
  await Promise.all(builds);
  return bundles;
};

const measureAll = async (lab: Lab): Promise<void> => {
  progress('checking the bundles against the assets cdk synth builds');
  const projectBundles = Object.fromEntries(SUBJECTS.map((s) => [s.id, lab.bundles[`${s.id}:project`]]));
  const assetChecks = compareWithCdkAssets(projectBundles);
  print(assetLines(assetChecks));
  const sizes = SUBJECTS.map((s) =>
    sizeResult(s.id, lab.bundles[`${s.id}:project`]!, lab.bundles[`${s.id}:baseline`]),
  );
  print(sizeLines(sizes));

  progress(`cold starts: ${settings.coldRuns} fresh processes per bundle, one after the other`);
  const cold = await measureColdStarts(lab, SUBJECTS, {
    runs: settings.coldRuns,
    budgetMs: settings.coldBudgetMs,
  });
  print(coldLines(cold.results));

  progress('warm latency, in-process, function and baseline in turns');
  const withBaseline = SUBJECTS.filter((s) => s.baselineEntry !== undefined);
  const warm = await measureWarm(lab, withBaseline, settings.warm);
  print(warmLines(warm.results));

  progress(`cost: calls counted over ${settings.costOperations} operations of each kind`);
  const costs = await measureCosts(lab, SUBJECTS, settings.costOperations);
  print(costLines(costs));

  progress(`throughput of the local server: ${settings.throughput.concurrency} connections`);
  const throughput = await measureThroughput(lab, settings.throughput);
  print(throughputLines(throughput));

  const incomplete = [...(cold.complete ? [] : ['cold']), ...(warm.complete ? [] : ['warm'])];
  if (incomplete.length > 0)
    progress(`time budget reached: fewer runs than planned in ${incomplete.join(', ')}`);
  const misses = printed.filter((l) => l.verdict === 'MISS').length;
  progress(`done in ${elapsed()}: ${misses} figure(s) miss their target`);

  const results = {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    quick,
    incomplete,
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown' },
    settings,
    targets: Targets,
    assetChecks,
    sizes,
    coldStarts: cold.results,
    warm: warm.results,
    costs,
    throughput,
    lines: printed,
  };
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${RESULTS_FILE}`);
};

const profile = async (lab: Lab): Promise<void> => {
  const directory = mkdtempSync(join(tmpdir(), 'bench-profiles-'));
  progress(`profiling a cold and a warm run of each HTTP function and its baseline into ${directory}`);
  const withBaseline = SUBJECTS.filter((s) => s.baselineEntry !== undefined);
  const reports = await profileSubjects(lab, withBaseline, directory, { warmup: 30, measured: 300 });
  process.stdout.write(`${reports.join('\n\n')}\n`);
  progress(`profiles kept in ${directory} (open them in Chrome DevTools)`);
};

const workDir = mkdtempSync(join(tmpdir(), 'bench-'));
const services = await startServices();
try {
  progress(`bundling ${SUBJECTS.length} functions and their baselines as the stack does`);
  const bundles = await buildBundles(workDir);
  const lab: Lab = { services, driverFile: await compileDriver(workDir), workDir, bundles, quick };
  if (cpuProfile) await profile(lab);
  else await measureAll(lab);
} finally {
  await services.close();
  rmSync(workDir, { recursive: true, force: true });
}
