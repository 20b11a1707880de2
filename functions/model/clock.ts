/** Time comes from here so tests can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** ISO-8601 UTC with milliseconds, the contract's timestamp form. */
export const isoAt = (ms: number): string => new Date(ms).toISOString();
