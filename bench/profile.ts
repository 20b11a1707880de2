/**
 * `npm run bench -- --cpu-prof`: where the time goes. For each HTTP function, its baseline (and the peer), one cold run
 * and one warm run under `--cpu-prof`, with bundles built as deployed plus a source map; each sample is
 * traced back through the map to the package (or project file) its function comes from, and the self time
 * per origin of function and baseline is printed side by side. The .cpuprofile files are kept for
 * Chrome DevTools (the path is printed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuiltBundle, bundleAsDeployed } from './bundles.ts';
import { driveOne, type Lab, type Variant } from './lab.ts';
import { replays } from './operations.ts';
import { round } from './stats.ts';
import { type Subject, variantEntries } from './subjects.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/@aws-sdk/core/...` -> `@aws-sdk/core`; project files keep their path. */
const originOfSource = (source: string): string => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (match) return match[1]!;
  const at = source.search(/(functions|bench|local)\//);
  return at >= 0 ? source.slice(at) : source;
};

/** Self time (ms) per origin: the package or project file of each sampled function. */
export const selfTimeByOrigin = (profile: CpuProfile, bundleFile: string): Record<string, number> => {
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')) as never);
  const originOfNode = new Map<number, string>();
  for (const node of profile.nodes) {
    const { url, functionName, lineNumber, columnNumber } = node.callFrame;
    let origin: string;
    if (url === '') origin = functionName.startsWith('(') ? functionName : '(native)';
    else if (url.startsWith('node:')) origin = '(node internals)';
    else if (url.startsWith('file:') && fileURLToPath(url) === bundleFile) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string };
      origin = entry.originalSource ? originOfSource(entry.originalSource) : '(bundle, unmapped)';
    } else origin = originOfSource(url);
    originOfNode.set(node.id, origin);
  }
  const totals: Record<string, number> = {};
  profile.samples.forEach((nodeId, index) => {
    const origin = originOfNode.get(nodeId) ?? '(unknown)';
    totals[origin] = (totals[origin] ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000;
  });
  return totals;
};

const readProfile = (directory: string): CpuProfile => {
  const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${directory}`);
  return JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
};

const compare = (
  title: string,
  project: Record<string, number>,
  baseline: Record<string, number>,
  other = 'baseline',
): string => {
  const origins = [...new Set([...Object.keys(project), ...Object.keys(baseline)])]
    .map((origin) => ({ origin, p: project[origin] ?? 0, b: baseline[origin] ?? 0 }))
    .filter((row) => row.p >= 0.5 || row.b >= 0.5)
    .sort((x, y) => y.p - y.b - (x.p - x.b));
  const total = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);
  return [
    `${title}: self time by origin, function vs ${other} (ms; total ${round(total(project))} vs ${round(total(baseline))})`,
    ...origins.map(
      (row) =>
        `  ${row.origin.padEnd(48)} ${round(row.p).toFixed(2).padStart(9)} ${round(row.b).toFixed(2).padStart(9)} ${(row.p - row.b >= 0 ? '+' : '') + round(row.p - row.b).toFixed(2)}`,
    ),
  ].join('\n');
};

export const profileSubjects = async (
  lab: Lab,
  subjects: readonly Subject[],
  directory: string,
  warm: { warmup: number; measured: number },
): Promise<string[]> => {
  const reports: string[] = [];
  for (const subject of subjects) {
    const mapped: Partial<Record<Variant, BuiltBundle>> = {};
    const variants = variantEntries(subject).filter(([variant]) => variant !== 'probe');
    for (const [variant, entry] of variants) {
      mapped[variant] = await bundleAsDeployed(entry, join(directory, 'bundles', subject.id, variant), {
        withSourceMap: true,
      });
    }
    const profiled: Lab = {
      ...lab,
      bundles: {
        ...lab.bundles,
        ...Object.fromEntries(variants.map(([variant]) => [`${subject.id}:${variant}`, mapped[variant]])),
      },
    };
    for (const phase of ['cold', 'warm'] as const) {
      const totals: Partial<Record<Variant, Record<string, number>>> = {};
      for (const [variant] of variants) {
        const out = join(directory, `${subject.id}-${phase}-${variant}`);
        const invocations =
          phase === 'cold'
            ? subject.invocations(lab.services.sandbox, 1)
            : subject.invocations(lab.services.sandbox, warm.warmup + warm.measured);
        const withReplays =
          phase === 'warm' && subject.id === 'refunds' ? replays(invocations.slice(warm.warmup)) : [];
        await driveOne(profiled, subject, variant, [...invocations, ...withReplays], {
          execArgv: ['--cpu-prof', `--cpu-prof-dir=${out}`, '--cpu-prof-interval=100'],
          limitMs: 120_000,
        });
        totals[variant] = selfTimeByOrigin(readProfile(out), mapped[variant]!.file);
      }
      reports.push(compare(`${subject.id} ${phase}`, totals.project!, totals.baseline!));
      if (totals.peer) reports.push(compare(`${subject.id} ${phase}`, totals.project!, totals.peer, 'peer'));
    }
  }
  return reports;
};
