/**
 * Everything a measurement needs: the services, the built bundles, the compiled driver, a scratch folder
 * outside the repository, and the clock of the whole run (each phase stops at its own deadline).
 */
import type { BuiltBundle } from './bundles.ts';
import type { Invocation } from './child/protocol.ts';
import { type DriverOutcome, type DriverSession, openSession, runDriver } from './child/spawn.ts';
import { type BenchLogLevel, functionEnvironment } from './environment.ts';
import type { Services } from './services.ts';
import { type FunctionId, type Subject, timeoutMsOf, type Variant } from './subjects.ts';

/** Re-exported for the phases (declared in subjects.ts, which lab.ts imports: no cycle). */
export type { Variant };

export interface Lab {
  services: Services;
  driverFile: string;
  workDir: string;
  bundles: Partial<Record<`${FunctionId}:${Variant}`, BuiltBundle>>;
  /** `--quick`: fewer runs, for trying the bench out (its figures are not the ones to quote). */
  quick: boolean;
}

export const bundleOf = (lab: Lab, subject: Subject, variant: Variant): BuiltBundle => {
  const bundle = lab.bundles[`${subject.id}:${variant}`];
  if (!bundle) throw new Error(`no ${variant} bundle for ${subject.id}`);
  return bundle;
};

export interface DriveOptions {
  logLevel?: BenchLogLevel;
  limitMs?: number;
  execArgv?: string[];
  /** Through the counting proxy (cost phases), not to dynalite directly. */
  counted?: boolean;
  /** Another table than the bench's. */
  tableName?: string;
  /** Return each answer's body. */
  keepAnswers?: boolean;
  /** Another Mercado Pago than the bench's sandbox (the drain has its own). */
  sandboxUrl?: string;
  /** More of the function's configuration (e.g. REPORTS_DIR). */
  env?: Record<string, string>;
  /** Sample the heap this often while the invocations run (driver.ts). */
  sampleHeapMs?: number;
}

/**
 * One driver process: the bundles of `variants` imported side by side, each invocation sent to the
 * handler of `variants[invocation.bundle]`, in the function's environment.
 */
export const drive = (
  lab: Lab,
  subject: Subject,
  variants: readonly Variant[],
  invocations: (Invocation & { bundle: number })[],
  options: DriveOptions = {},
): Promise<DriverOutcome> =>
  runDriver({
    driverFile: lab.driverFile,
    job: {
      functionName: subject.id,
      timeoutMs: timeoutMsOf(subject.id),
      bundles: variants.map((variant) => bundleOf(lab, subject, variant).file),
      invocations,
      ...(options.keepAnswers ? { keepAnswers: true } : {}),
      ...(options.sampleHeapMs ? { sampleHeapMs: options.sampleHeapMs } : {}),
    },
    env: environmentOf(lab, subject, variants, options),
    workDir: lab.workDir,
    limitMs: options.limitMs ?? 30_000,
    ...(options.execArgv ? { execArgv: options.execArgv } : {}),
  });

const environmentOf = (lab: Lab, subject: Subject, variants: readonly Variant[], options: DriveOptions) => ({
  ...functionEnvironment({
    functionName: subject.id,
    dynamoEndpoint: options.counted ? lab.services.countingEndpoint : lab.services.dynamoEndpoint,
    sandboxUrl: options.sandboxUrl ?? lab.services.sandbox.url,
    logLevel: options.logLevel ?? 'warn',
    withPeer: variants.includes('peer'),
    ...(options.tableName ? { tableName: options.tableName } : {}),
  }),
  ...options.env,
});

/** A driver process in session mode with one bundle: invocations one at a time (child/spawn.ts). */
export const session = (
  lab: Lab,
  subject: Subject,
  variant: Variant,
  options: DriveOptions = {},
): Promise<DriverSession> =>
  openSession({
    driverFile: lab.driverFile,
    job: {
      functionName: subject.id,
      timeoutMs: timeoutMsOf(subject.id),
      bundles: [bundleOf(lab, subject, variant).file],
    },
    env: environmentOf(lab, subject, [variant], options),
    workDir: lab.workDir,
    limitMs: options.limitMs ?? 300_000,
  });

/** One driver process with one bundle. */
export const driveOne = (
  lab: Lab,
  subject: Subject,
  variant: Variant,
  invocations: Invocation[],
  options: DriveOptions = {},
): Promise<DriverOutcome> =>
  drive(
    lab,
    subject,
    [variant],
    invocations.map((invocation) => ({ ...invocation, bundle: 0 })),
    options,
  );

/** A phase's own deadline: it stops starting new work after it (and says so). */
export class Deadline {
  readonly #at: number;
  constructor(ms: number) {
    this.#at = Date.now() + ms;
  }
  get passed(): boolean {
    return Date.now() >= this.#at;
  }
}
