import * as z from 'zod/mini';
import type { Clock } from '../model/clock.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * Checks a middleware's options when the handler is built (cold start), so a typo or a wrong value
 * fails loudly at deploy time instead of changing behaviour silently.
 */
export const validateOptions = <T>(middleware: string, schema: z.ZodMiniType<T>, options: unknown): T => {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.join('.') || 'options';
    return issue.code === 'unrecognized_keys'
      ? `unknown option(s) ${issue.keys.join(', ')}`
      : `${where} is not valid`;
  });
  throw new TypeError(`${middleware}: ${problems.join('; ')}`);
};

const isLogger = (value: unknown): value is Logger =>
  typeof value === 'object' &&
  value !== null &&
  ['debug', 'info', 'warn', 'error', 'child'].every(
    (m) => typeof (value as Record<string, unknown>)[m] === 'function',
  );

export const loggerOption = z.custom<Logger>(isLogger);
export const clockOption = z.custom<Clock>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { now?: unknown }).now === 'function',
);
