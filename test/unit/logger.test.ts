import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LoggerOptions, rootLoggerOptions } from '../../functions/observability/logger.ts';

const AT = new Date('2026-03-04T05:06:07.089Z');

const capture = (options: LoggerOptions = {}) => {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    now: () => AT,
    sink: (line) => lines.push(line),
    ...options,
  });
  return { logger, lines };
};

/** An error with a cause, both with stacks, as a failed Mercado Pago call wrapped in a problem is. */
const wrapped = () => {
  const cause = Object.assign(new Error('Mercado Pago answered 429 after 3 attempts'), {
    httpStatus: 429,
    attempts: 3,
    upstreamRequestId: 'mp-1',
    accessToken: 'APP_USR-secret',
  });
  return new Error('Mercado Pago is unavailable', { cause });
};

const count = (text: string, part: string) => text.split(part).length - 1;

describe('JSON lines', () => {
  it('keeps one stack per entry, at error only: the first error met keeps it, its causes do not', () => {
    const { logger, lines } = capture();
    logger.error('request failed', { error: wrapped(), other: new Error('second') });
    const entry = JSON.parse(lines[0]!) as Record<string, any>;
    expect(count(lines[0]!, '"stack"')).toBe(1);
    expect(entry.error.stack).toContain('logger.test.ts');
    expect(entry.error.cause).toEqual({
      name: 'Error',
      message: 'Mercado Pago answered 429 after 3 attempts',
      httpStatus: 429,
      attempts: 3,
      upstreamRequestId: 'mp-1',
      accessToken: '[redacted]',
    });
    expect(entry.other).toEqual({ name: 'Error', message: 'second' });
  });

  it.each(['debug', 'info', 'warn'] as const)('writes no stack at %s', (level) => {
    const { logger, lines } = capture();
    logger[level]('expected trouble', { error: wrapped() });
    expect(lines[0]).not.toContain('"stack"');
    expect(JSON.parse(lines[0]!).error.cause.httpStatus).toBe(429);
  });

  it('writes what JSON cannot hold (a bigint field of an error) as text', () => {
    const { logger, lines } = capture();
    logger.warn('odd error', { error: Object.assign(new Error('x'), { offset: 12n }) });
    expect(JSON.parse(lines[0]!).error).toEqual({ name: 'Error', message: 'x', offset: '12' });
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture({ level: 'warn' });
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.child({ requestId: 'r' }).error('d');
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(['c', 'd']);
  });
});

describe('pretty lines', () => {
  it('say time, level, message and key=value fields on one line, quoting what needs it', () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.child({ requestId: 'req-1' }).info('request', {
      routeKey: 'POST /payments/{paymentId}/refunds',
      paymentId: '123',
      status: 201,
      ok: true,
      skipped: undefined,
      nested: { a: 1 },
      authorization: 'Bearer abc',
    });
    expect(lines).toEqual([
      '05:06:07.089 INFO  request requestId=req-1 routeKey="POST /payments/{paymentId}/refunds" paymentId=123 status=201 ok=true nested={"a":1} authorization="[redacted]"',
    ]);
  });

  it('escape control characters, so a field cannot move the cursor or forge a line', () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.warn('odd\ninput', { path: '/x\u001b[2J\u009b1m\u007f\nFAKE 00:00:00.000 ERROR forged' });
    expect(lines).toHaveLength(1);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not appear.
    expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(lines[0]).toBe(
      '05:06:07.089 WARN  odd\\u000ainput path="/x\\u001b[2J\\u009b1m\\u007f\\nFAKE 00:00:00.000 ERROR forged"',
    );
  });

  it('print the stack of an error line under it, indented, and none for a warning', () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.error('unhandled error', { error: wrapped() });
    logger.warn('upstream unavailable', { cause: wrapped().cause });
    const [error, warning] = lines;
    const [first, ...frames] = error!.split('\n');
    expect(first).toMatch(
      /^05:06:07\.089 ERROR unhandled error error=\{"name":"Error","message":"Mercado Pago is/,
    );
    expect(first).not.toContain('stack');
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((frame) => frame.startsWith('    at '))).toBe(true);
    expect(frames[0]).toContain('logger.test.ts');
    expect(warning).not.toContain('\n');
    expect(warning).toContain('"httpStatus":429');
  });

  it('cut very long values', () => {
    const { logger, lines } = capture({ format: 'pretty' });
    logger.info('big', { value: 'x'.repeat(1_000) });
    expect(lines[0]!.length).toBeLessThan(400);
    expect(lines[0]).toMatch(/x\.\.\.$/);
  });
});

describe('the root logger', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('takes LOG_LEVEL, and prints JSON on stdout in Lambda, human lines on the console elsewhere', () => {
    expect(rootLoggerOptions({})).toMatchObject({ level: 'info', format: 'pretty' });
    expect(rootLoggerOptions({ LOG_LEVEL: 'DEBUG' })).toMatchObject({ level: 'debug' });
    expect(rootLoggerOptions({ LOG_LEVEL: 'loud' })).toMatchObject({ level: 'info' });
    expect(rootLoggerOptions({ AWS_LAMBDA_FUNCTION_NAME: 'refunds' })).toMatchObject({ format: 'json' });
    expect(rootLoggerOptions({ AWS_LAMBDA_FUNCTION_NAME: 'refunds', LOG_FORMAT: 'pretty' })).toMatchObject({
      format: 'pretty',
    });
    expect(rootLoggerOptions({ LOG_FORMAT: 'json' })).toMatchObject({ format: 'json' });
  });

  it('reads the environment when it loads', async () => {
    vi.stubEnv('LOG_LEVEL', 'debug');
    vi.stubEnv('LOG_FORMAT', 'json');
    vi.resetModules();
    const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { rootLogger } = await import('../../functions/observability/logger.ts');
    rootLogger.debug('shown at debug', { n: 1 });
    expect(printed).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(printed.mock.calls[0]?.[0]))).toMatchObject({
      level: 'debug',
      message: 'shown at debug',
      n: 1,
    });

    vi.stubEnv('LOG_LEVEL', 'info');
    vi.resetModules();
    const quieter = await import('../../functions/observability/logger.ts');
    quieter.rootLogger.debug('hidden at info');
    expect(printed).toHaveBeenCalledTimes(1);
  });

  it('writes straight to stdout in Lambda', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'refunds');
    vi.stubEnv('LOG_LEVEL', 'info');
    vi.resetModules();
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { rootLogger } = await import('../../functions/observability/logger.ts');
    rootLogger.info('in lambda');
    expect(JSON.parse(String(written.mock.calls[0]?.[0]))).toMatchObject({
      level: 'info',
      message: 'in lambda',
    });
  });
});
