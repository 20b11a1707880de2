/**
 * Structured logs, one entry per line, with the request ids. A few dozen lines instead of a logging
 * library: bundle size is cold start, and this is all the functions need.
 * In Lambda each entry is a JSON line on stdout (what CloudWatch Logs Insights reads); elsewhere
 * (`npm start`, scripts, tests) a human line on the console (pretty-log.ts); LOG_FORMAT=json|pretty says
 * which.
 * Secrets never reach it: fields whose names look secret are masked, whatever the caller passes.
 * An entry carries at most one stack, and only at level error: the stack of the first error in its fields
 * (its causes keep their name and message). Below error a failure is expected, and a stack is noise.
 */
import { prettyLine } from './pretty-log.ts';

export const LogLevel = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevelName = keyof typeof LogLevel;
export type LogFormat = 'json' | 'pretty';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose entries all carry these fields too (e.g. the request ids). */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

const SECRET_FIELD = /authorization|token|secret|password|signature|card|security_code|identification|email/i;

/** What one entry may still print of stacks, and where a pretty line puts the one it prints. */
interface StackBudget {
  left: number;
  /** Pretty lines print the stack under the line rather than inside a field. */
  taken?: string;
  detach: boolean;
}

type Primitive = string | number | boolean | null | undefined;
const isPrimitive = (value: unknown): value is Primitive =>
  value === null || (typeof value !== 'object' && typeof value !== 'function');

const serializeError = (error: Error, depth: number, stacks: StackBudget): Record<string, unknown> => {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  if ('code' in error) out.code = (error as { code: unknown }).code;
  // An error's own plain fields say what happened (a status, a kind, Mercado Pago's request id...).
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause' || key in out) continue;
    if (isPrimitive(value) || (Array.isArray(value) && value.every(isPrimitive))) {
      out[key] = SECRET_FIELD.test(key) ? '[redacted]' : serialize(value, depth + 1, stacks);
    }
  }
  if (error.stack && stacks.left > 0) {
    stacks.left--;
    if (stacks.detach) stacks.taken = error.stack;
    else out.stack = error.stack;
  }
  if (error.cause !== undefined && depth < 3) out.cause = serialize(error.cause, depth + 1, stacks);
  return out;
};

const serialize = (value: unknown, depth: number, stacks: StackBudget): unknown => {
  if (value instanceof Error) return serializeError(value, depth, stacks);
  if (Array.isArray(value)) return depth > 5 ? '[array]' : value.map((v) => serialize(v, depth + 1, stacks));
  if (value && typeof value === 'object') {
    if (depth > 5) return '[object]';
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_FIELD.test(key) ? '[redacted]' : serialize(v, depth + 1, stacks);
    }
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
};

export interface LoggerOptions {
  level?: LogLevelName;
  /** Default json: what tests that read lines back, and Lambda, expect. */
  format?: LogFormat;
  sink?: LogSink;
  fields?: LogFields;
  now?: () => Date;
}

const stdoutSink: LogSink = (line) => process.stdout.write(`${line}\n`);

export const createLogger = (options: LoggerOptions = {}): Logger => {
  const threshold = LogLevel[options.level ?? 'info'];
  const format = options.format ?? 'json';
  const sink = options.sink ?? stdoutSink;
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};

  const write = (level: LogLevelName, message: string, fields?: LogFields) => {
    if (LogLevel[level] < threshold) return;
    const stacks: StackBudget = { left: level === 'error' ? 1 : 0, detach: format === 'pretty' };
    const entry = serialize({ ...base, ...fields }, 0, stacks) as LogFields;
    const time = now();
    sink(
      format === 'pretty'
        ? prettyLine(time, level, message, entry, stacks.taken)
        : JSON.stringify({ timestamp: time.toISOString(), level, message, ...entry }),
    );
  };

  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
};

export type Env = Record<string, string | undefined>;

export const inLambda = (env: Env): boolean => env.AWS_LAMBDA_FUNCTION_NAME !== undefined;

/**
 * The root logger's settings: LOG_LEVEL (debug, info, warn, error; default info), and JSON on stdout in
 * Lambda, human lines on the console elsewhere, unless LOG_FORMAT says json or pretty. The console (not
 * stdout directly) lets a test runner tell which test wrote a line (vitest shows them only for failures).
 */
export const rootLoggerOptions = (env: Env): LoggerOptions => {
  const level = env.LOG_LEVEL?.trim().toLowerCase();
  const format = env.LOG_FORMAT?.trim().toLowerCase();
  return {
    level: level && Object.hasOwn(LogLevel, level) ? (level as LogLevelName) : 'info',
    format: format === 'json' || format === 'pretty' ? format : inLambda(env) ? 'json' : 'pretty',
    sink: inLambda(env) ? stdoutSink : (line) => console.log(line),
  };
};

/** The process-wide logger, set from the environment at load; handlers derive per-request children. */
export const rootLogger: Logger = createLogger(rootLoggerOptions(process.env));
