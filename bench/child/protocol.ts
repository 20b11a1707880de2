/** What the bench hands a driver process (job.json) and what it gets back (result.json). */

export interface Expectation {
  /** The answer's statusCode (an HTTP API result); undefined: not checked (SQS and scheduled handlers). */
  status?: number;
  /** A piece of text the answer's body must contain (e.g. `"processed"`). */
  bodyIncludes?: string;
}

export interface Invocation {
  /** What the request is, for error messages. */
  label: string;
  event: unknown;
  expect: Expectation;
}

export interface DriverJob {
  functionName: string;
  /** The Lambda timeout the context counts down from. */
  timeoutMs: number;
  /** Bundle files, imported in this order (one for a cold start; function and baseline for warm runs). */
  bundles: string[];
  /** Each invocation goes to the handler of `bundles[bundle]`. */
  invocations: (Invocation & { bundle: number })[];
  /** Return each answer's body (first 500 characters): for answers the bench reads (reconciliation reports). */
  keepAnswers?: boolean;
  /** Session mode: no invocations in the job; they come one by one over IPC (spawn.ts openSession). */
  session?: boolean;
  /** Sample the V8 heap this often (ms) while the invocations run: DriverResult.memory.peakHeapUsedBytes. */
  sampleHeapMs?: number;
}

/** The process's memory (bytes). */
export interface DriverMemory {
  /** Peak resident set size over the process's life: `process.resourceUsage().maxRSS` (what Lambda's Max Memory Used reports). */
  maxRssBytes: number;
  /** RSS and V8 heap used once the bundles were loaded, before the first invocation. */
  loadedRssBytes: number;
  loadedHeapUsedBytes: number;
  /** The highest heap used sampled while the invocations ran (garbage not yet collected included); 0 unsampled. */
  peakHeapUsedBytes: number;
  /** Sampled alongside: the heap V8 had reserved, and memory outside it (Buffers, streams' chunks). */
  peakHeapTotalBytes: number;
  peakExternalBytes: number;
}

/** One invocation's outcome in session mode. */
export interface SessionAnswer {
  latencyMs: number;
  cpuMicros: number;
  status: number | undefined;
  body: string;
  /** Set when the answer is not what the invocation expected. */
  failure: string | undefined;
}

export interface DriverResult {
  /** ms since the process started: when the driver began, the bundles were loaded, the first answer came. */
  startedMs: number;
  loadedMs: number;
  firstResponseMs: number;
  /** Each invocation's duration, in order. */
  latenciesMs: number[];
  /** Each invocation's CPU time (user + system, microseconds), in order. */
  cpuMicros: number[];
  /** Each answer's body, when the job asked for them. */
  answers: string[];
  /** The first answers that were not what the job expected (the run is then not valid). */
  failures: string[];
  memory: DriverMemory;
}
