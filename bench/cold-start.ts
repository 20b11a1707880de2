/**
 * Cold start: a fresh Node process per run, which imports the bundle and answers one request; the figure
 * is the time from the process's start to that answer (also: to the end of the import). Runs are
 * sequential and interleaved (function, baseline, peer, next function...; the order flips every round) so
 * that a noisy machine weighs on all alike.
 */
import { bundleOf, Deadline, driveOne, type Lab, type Variant } from './lab.ts';
import { median, percentile, round } from './stats.ts';
import { type FunctionId, type Subject, variantEntries } from './subjects.ts';

export interface ColdStartSample {
  /** From the process start to the end of the bundle's import. */
  loadMs: number;
  /** From the process start to the first answer. */
  firstResponseMs: number;
}

export interface ColdStartFigure {
  runs: number;
  loadMs: number;
  firstResponseMs: number;
  firstResponseP90Ms: number;
}

export interface ColdStartResult {
  function: FunctionId;
  project: ColdStartFigure;
  baseline: ColdStartFigure | undefined;
  peer: ColdStartFigure | undefined;
  /** project / baseline, medians of the first response. */
  ratio: number | undefined;
  /** project / peer, medians of the first response and of the load. */
  peerRatio: number | undefined;
  peerLoadRatio: number | undefined;
}

const summarize = (samples: ColdStartSample[]): ColdStartFigure => ({
  runs: samples.length,
  loadMs: round(median(samples.map((s) => s.loadMs))),
  firstResponseMs: round(median(samples.map((s) => s.firstResponseMs))),
  firstResponseP90Ms: round(
    percentile(
      samples.map((s) => s.firstResponseMs),
      90,
    ),
  ),
});

export const measureColdStarts = async (
  lab: Lab,
  subjects: readonly Subject[],
  options: { runs: number; budgetMs: number },
): Promise<{ results: ColdStartResult[]; complete: boolean }> => {
  const deadline = new Deadline(options.budgetMs);
  const samples = new Map<string, ColdStartSample[]>();
  const variantsOf = (subject: Subject): Variant[] =>
    variantEntries(subject)
      .map(([variant]) => variant)
      .filter((variant) => variant !== 'probe');
  let rounds = 0;
  while (rounds < options.runs && !deadline.passed) {
    for (const subject of subjects) {
      const variants = rounds % 2 === 0 ? [...variantsOf(subject)] : [...variantsOf(subject)].reverse();
      for (const variant of variants) {
        bundleOf(lab, subject, variant);
        const outcome = await driveOne(lab, subject, variant, subject.invocations(lab.services.sandbox, 1), {
          limitMs: 20_000,
        });
        const key = `${subject.id}:${variant}`;
        const list = samples.get(key) ?? [];
        list.push({ loadMs: outcome.loadedMs, firstResponseMs: outcome.firstResponseMs });
        samples.set(key, list);
      }
    }
    rounds++;
  }
  const results = subjects.map((subject): ColdStartResult => {
    const project = summarize(samples.get(`${subject.id}:project`) ?? []);
    const baselineSamples = samples.get(`${subject.id}:baseline`);
    const baseline = baselineSamples ? summarize(baselineSamples) : undefined;
    const peerSamples = samples.get(`${subject.id}:peer`);
    const peer = peerSamples ? summarize(peerSamples) : undefined;
    return {
      function: subject.id,
      project,
      baseline,
      peer,
      ratio: baseline ? round(project.firstResponseMs / baseline.firstResponseMs, 3) : undefined,
      peerRatio: peer ? round(project.firstResponseMs / peer.firstResponseMs, 3) : undefined,
      peerLoadRatio: peer ? round(project.loadMs / peer.loadMs, 3) : undefined,
    };
  });
  return { results, complete: rounds >= options.runs };
};
