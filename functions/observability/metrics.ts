/**
 * CloudWatch metrics in Embedded Metric Format: one JSON log line per metric, turned into metrics by
 * CloudWatch Logs with no API call and no library. The dashboard and alarms of the stack read these.
 * Outside Lambda nothing reads them: each becomes a debug line of the root logger (LOG_LEVEL=debug shows it).
 */
import { inLambda, type Logger, rootLogger } from './logger.ts';

export const METRICS_NAMESPACE = 'MercadoPagoRefunds';

export const MetricName = {
  RefundSucceeded: 'RefundSucceeded',
  RefundFailed: 'RefundFailed',
  RefundPending: 'RefundPending',
  RefundUnsettledTooLong: 'RefundUnsettledTooLong',
  OldestPendingRefundAgeSeconds: 'OldestPendingRefundAgeSeconds',
  CancellationSucceeded: 'CancellationSucceeded',
  CancellationPending: 'CancellationPending',
  NotificationReceived: 'NotificationReceived',
  NotificationRejected: 'NotificationRejected',
  NotificationDuplicate: 'NotificationDuplicate',
  MercadoPagoCallFailed: 'MercadoPagoCallFailed',
  /** Something only a person can settle was found (contradiction, unknown status): GET /ops/attention. */
  AttentionRaised: 'AttentionRaised',
  /** A new discrepancy between the ledger and Mercado Pago's settlement report (dimension `kind`). */
  ReconciliationDiscrepancy: 'ReconciliationDiscrepancy',
  /** A day's report did not come within REPORT_WAIT_HOURS, or could not be read. */
  ReconciliationFailed: 'ReconciliationFailed',
  /** An open chargeback's documentation is due within CHARGEBACK_WARNING_DAYS (each hourly run while so). */
  ChargebackDeadlineNear: 'ChargebackDeadlineNear',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

export type MetricSink = (line: string) => void;

export interface MetricPoint {
  name: MetricName;
  value: number;
  unit: MetricUnit;
  dimensions: Record<string, string>;
}

/** Gets each metric both as its EMF line and as plain values. */
type MetricEmitter = (line: string, point: MetricPoint) => void;

/** EMF lines on stdout in Lambda; elsewhere a debug line of `log` per metric. */
export const defaultMetricEmitter = (env: Record<string, string | undefined>, log: Logger): MetricEmitter =>
  inLambda(env)
    ? (line) => process.stdout.write(`${line}\n`)
    : (_line, point) =>
        log.debug('metric', {
          metric: point.name,
          value: point.value,
          unit: point.unit,
          ...point.dimensions,
        });

let emit: MetricEmitter = defaultMetricEmitter(process.env, rootLogger);

/** Tests redirect the EMF lines here. */
export const setMetricSink = (next: MetricSink): void => {
  emit = (line) => next(line);
};

export const putMetric = (
  name: MetricName,
  value = 1,
  unit: MetricUnit = 'Count',
  dimensions: Record<string, string> = {},
): void => {
  const service = process.env.POWERTOOLS_SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
  const dims = { service, ...dimensions };
  const line = JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [Object.keys(dims)],
          Metrics: [{ Name: name, Unit: unit }],
        },
      ],
    },
    ...dims,
    [name]: value,
  });
  emit(line, { name, value, unit, dimensions: dims });
};
