import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, type LogLevelName } from '../../functions/observability/logger.ts';
import { defaultMetricEmitter, MetricName } from '../../functions/observability/metrics.ts';

const point = {
  name: MetricName.RefundSucceeded,
  value: 1,
  unit: 'Count' as const,
  dimensions: { service: 'x' },
};
const EMF_LINE = '{"_aws":{}}';

const captured = (level: LogLevelName) => {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level, sink: (line) => lines.push(JSON.parse(line)) });
  return { log, lines };
};

describe('where metrics go by default', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('in Lambda: the EMF line on stdout, for CloudWatch', () => {
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { log, lines } = captured('debug');
    defaultMetricEmitter({ AWS_LAMBDA_FUNCTION_NAME: 'refunds' }, log)(EMF_LINE, point);
    expect(written).toHaveBeenCalledWith(`${EMF_LINE}\n`);
    expect(lines).toEqual([]);
  });

  it('elsewhere: no EMF, a debug line that only LOG_LEVEL=debug shows', () => {
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const info = captured('info');
    defaultMetricEmitter({}, info.log)(EMF_LINE, point);
    expect(info.lines).toEqual([]);

    const debug = captured('debug');
    defaultMetricEmitter({}, debug.log)(EMF_LINE, point);
    expect(debug.lines).toEqual([
      expect.objectContaining({
        level: 'debug',
        message: 'metric',
        metric: 'RefundSucceeded',
        value: 1,
        unit: 'Count',
        service: 'x',
      }),
    ]);
    expect(written).not.toHaveBeenCalled();
  });
});
