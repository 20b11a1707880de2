/**
 * Structured JSON logs, one line per entry, with the request ids. A few dozen lines instead of a logging
 * library: bundle size is cold start, and this is all the functions need.
 * Secrets never reach it: fields whose names look secret are masked, whatever the caller passes.
 */
export const LogLevel = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevelName = keyof typeof LogLevel;

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

const serialize = (value: unknown, depth = 0): unknown => {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      ...(value.stack && depth <= 2 ? { stack: value.stack } : {}),
      ...('code' in value ? { code: (value as { code: unknown }).code } : {}),
      ...(value.cause !== undefined && depth < 3 ? { cause: serialize(value.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return depth > 5 ? '[array]' : value.map((v) => serialize(v, depth + 1));
  if (value && typeof value === 'object') {
    if (depth > 5) return '[object]';
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = SECRET_FIELD.test(key) ? '[redacted]' : serialize(v, depth + 1);
    }
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
};

export interface LoggerOptions {
  level?: LogLevelName;
  sink?: LogSink;
  fields?: LogFields;
  now?: () => Date;
}

export const createLogger = (options: LoggerOptions = {}): Logger => {
  const threshold = LogLevel[options.level ?? 'info'];
  const sink: LogSink = options.sink ?? ((line) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};

  const write = (level: LogLevelName, message: string, fields?: LogFields) => {
    if (LogLevel[level] < threshold) return;
    const entry = serialize({ ...base, ...fields }) as LogFields;
    sink(JSON.stringify({ timestamp: now().toISOString(), level, message, ...entry }));
  };

  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
};

const levelFromEnv = (): LogLevelName => {
  const value = process.env.LOG_LEVEL?.toLowerCase();
  return value && Object.hasOwn(LogLevel, value) ? (value as LogLevelName) : 'info';
};

/** The process-wide logger; handlers derive per-request children from it. */
export const rootLogger: Logger = createLogger({ level: levelFromEnv() });
