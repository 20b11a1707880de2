/**
 * CloudWatch metrics in Embedded Metric Format: one JSON log line per metric, turned into metrics by
 * CloudWatch Logs with no API call and no library. The dashboard and alarms of the stack read these.
 */
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
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';

export type MetricSink = (line: string) => void;

let sink: MetricSink = (line) => process.stdout.write(`${line}\n`);

/** Tests and the local server redirect metrics here. */
export const setMetricSink = (next: MetricSink): void => {
  sink = next;
};

export const putMetric = (
  name: MetricName,
  value = 1,
  unit: MetricUnit = 'Count',
  dimensions: Record<string, string> = {},
): void => {
  const service = process.env.POWERTOOLS_SERVICE_NAME ?? process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'local';
  const dims = { service, ...dimensions };
  sink(
    JSON.stringify({
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
    }),
  );
};
