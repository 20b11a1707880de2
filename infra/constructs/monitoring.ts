/**
 * Alarms to an SNS topic (optionally emailed) and one dashboard. Business metrics are the functions' EMF
 * metrics (namespace METRICS_NAMESPACE, dimension `service` = POWERTOOLS_SERVICE_NAME); since more than one
 * function may emit the same metric (a refund settles in refunds, the processor or reconcile), each is read
 * across all the stage's services with metric math.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, MetricName } from '../../functions/observability/metrics.ts';
import type { FunctionId } from '../access.ts';

export interface MonitoringProps {
  stage: string;
  alarmEmail: string | undefined;
  functions: Record<FunctionId, lambda.IFunction>;
  /** The `service` dimension value of each function. */
  serviceNames: Record<FunctionId, string>;
  api: apigw.HttpApi;
  deadLetterQueue: sqs.IQueue;
  /** Where the stream event source of event-publisher sends the batches it gave up on. */
  eventFailureQueue: sqs.IQueue;
}

/** A pending refund older than this is an incident: reconcile re-checks pending refunds every 5 minutes. */
export const OLDEST_PENDING_REFUND_MAX_SECONDS = 15 * 60;
/** Events out of ledger writes waiting longer than this in the stream: event-publisher is failing or stuck. */
export const EVENT_STREAM_MAX_AGE_MS = 5 * 60_000;
/** API p99 above this for 15 minutes: the functions time out at 25 s, Mercado Pago answers in about 1 s. */
export const API_P99_LATENCY_MAX_MS = 10_000;

const PERIOD = Duration.minutes(5);

/** Functions that emit no business metric (no route logic, no money): left out of the stage-wide series. */
const WITHOUT_BUSINESS_METRICS: ReadonlySet<FunctionId> = new Set<FunctionId>([
  'not-found',
  'event-publisher',
]);

/** The runbook of an alarm in infra/README.md: per-function alarms share one per kind. */
export const runbookOf = (alarmName: string): string =>
  alarmName.endsWith('-errors') && !alarmName.startsWith('api-')
    ? '<function>-errors'
    : alarmName.endsWith('-throttles')
      ? '<function>-throttles'
      : alarmName;

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  private readonly props: MonitoringProps;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    this.prefix = `mercadopago-refunds-${props.stage}`;

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Mercado Pago refunds (${props.stage}) alarms`,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    for (const [functionId, fn] of Object.entries(props.functions) as [FunctionId, lambda.IFunction][]) {
      this.alarm(`${functionId}-errors`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), {
        threshold: 1,
        description: `${functionId} failed (uncaught error or timeout): see its log group.`,
      });
      this.alarm(`${functionId}-throttles`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), {
        threshold: 1,
        description: `${functionId} was throttled: the account's concurrency is exhausted.`,
      });
    }

    // Schedule disabled or broken: pending refunds would stay pending silently.
    this.alarm(
      'reconcile-not-running',
      props.functions.reconcile.metricInvocations({ period: Duration.minutes(15), statistic: 'Sum' }),
      {
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.BREACHING,
        description: 'reconcile has not run for 15 minutes (it is scheduled every 5).',
      },
    );

    this.alarm('api-5xx', props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }), {
      threshold: 1,
      description: 'The API answered 5xx (function error, Mercado Pago unavailable, or gateway error).',
    });
    this.alarm('api-p99-latency', props.api.metricLatency({ period: PERIOD, statistic: 'p99' }), {
      threshold: API_P99_LATENCY_MAX_MS,
      evaluationPeriods: 3,
      description: `API p99 latency above ${API_P99_LATENCY_MAX_MS} ms for 15 minutes.`,
    });

    this.alarm(
      'notification-dlq-not-empty',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      {
        threshold: 0,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'Notifications failed 5 times and wait in the dead-letter queue: inspect, fix, redrive.',
      },
    );

    // Records event-publisher reports as failed are retried without any error metric: their age shows it.
    this.alarm(
      'event-publisher-iterator-age',
      props.functions['event-publisher'].metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
      {
        threshold: EVENT_STREAM_MAX_AGE_MS,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'Events out wait in the table stream for more than 5 minutes: see event-publisher logs.',
      },
    );
    this.alarm(
      'event-publisher-dlq-not-empty',
      props.eventFailureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      {
        threshold: 0,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          'event-publisher gave up on stream records: their events were logged ("event not published yet"); replay them.',
      },
    );

    this.alarm(
      'oldest-pending-refund',
      this.acrossServices(MetricName.OldestPendingRefundAgeSeconds, 'MAX'),
      {
        threshold: OLDEST_PENDING_REFUND_MAX_SECONDS,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description: 'A refund has been pending for more than 15 minutes (reported by reconcile).',
      },
    );
    this.alarm('refund-unsettled-too-long', this.acrossServices(MetricName.RefundUnsettledTooLong, 'SUM'), {
      threshold: 0,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Work pending longer than ATTENTION_AFTER_SECONDS: find it with `npm run ops -- attention`, settle it with `npm run ops -- resolve`.',
    });
    this.alarm('attention-raised', this.acrossServices(MetricName.AttentionRaised, 'SUM'), {
      threshold: 0,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'The rules listed something only a person can settle (a contradiction, a status without a rule): `npm run ops -- attention`.',
    });

    // Reports: every discrepancy is for a person (README "A day's reconciliation"), so is a day that failed.
    this.alarm(
      'reconciliation-discrepancy',
      this.acrossServices(MetricName.ReconciliationDiscrepancy, 'SUM'),
      {
        threshold: 0,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          "The ledger disagrees with Mercado Pago's settlement report: GET /reports/reconciliations/{date} lists what and what to do.",
      },
    );
    this.alarm('reconciliation-failed', this.acrossServices(MetricName.ReconciliationFailed, 'SUM'), {
      threshold: 0,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        "A day's settlement report did not come within REPORT_WAIT_HOURS, or could not be reconciled (its reason says why).",
    });
    this.alarm('chargeback-deadline', this.acrossServices(MetricName.ChargebackDeadlineNear, 'SUM'), {
      threshold: 0,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        "A chargeback's documentation is due within CHARGEBACK_WARNING_DAYS: send the evidence to Mercado Pago (GET /ops/attention).",
    });
    this.alarm(
      'reports-job-not-running',
      props.functions['reports-job'].metricInvocations({ period: Duration.hours(3), statistic: 'Sum' }),
      {
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        missing: cloudwatch.TreatMissingData.BREACHING,
        description: 'reports-job has not run for 3 hours (it is scheduled hourly).',
      },
    );

    this.dashboard = this.createDashboard();
  }

  /**
   * One EMF metric of every function that emits business metrics, combined into one series (SUM or MAX).
   * An alarm's expression takes at most 10 metrics: the two functions that emit none are left out.
   */
  acrossServices(metricName: MetricName, combine: 'SUM' | 'MAX', label?: string): cloudwatch.MathExpression {
    // Ids must be unique within a graph that shows several of these expressions.
    const idPrefix = metricName.charAt(0).toLowerCase() + metricName.slice(1);
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    const emitters = Object.entries(this.props.serviceNames)
      .filter(([id]) => !WITHOUT_BUSINESS_METRICS.has(id as FunctionId))
      .map(([, service]) => service);
    if (emitters.length > 10)
      throw new Error(
        `an alarm's math expression takes at most 10 metrics, ${emitters.length} functions emit them`,
      );
    emitters.forEach((service, index) => {
      usingMetrics[`${idPrefix}${index}`] = new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic: combine === 'SUM' ? 'Sum' : 'Maximum',
        period: PERIOD,
      });
    });
    return new cloudwatch.MathExpression({
      expression: `${combine}([${Object.keys(usingMetrics).join(', ')}])`,
      usingMetrics,
      label: label ?? metricName,
      period: PERIOD,
    });
  }

  private alarm(
    name: string,
    metric: cloudwatch.IMetric,
    options: {
      threshold: number;
      description: string;
      evaluationPeriods?: number;
      comparison?: cloudwatch.ComparisonOperator;
      missing?: cloudwatch.TreatMissingData;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, `Alarm-${name}`, {
      alarmName: `${this.prefix}-${name}`,
      alarmDescription: `${options.description} Runbook: infra/README.md, "${runbookOf(name)}".`,
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator:
        options.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: options.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }

  private createDashboard(): cloudwatch.Dashboard {
    const { api, functions, deadLetterQueue } = this.props;
    const sum = (name: MetricName, label: string) => this.acrossServices(name, 'SUM', label);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.prefix,
      defaultInterval: Duration.days(1),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Refunds',
        width: 8,
        left: [
          sum(MetricName.RefundSucceeded, 'succeeded'),
          sum(MetricName.RefundFailed, 'failed'),
          sum(MetricName.RefundPending, 'pending'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Cancellations',
        width: 8,
        left: [
          sum(MetricName.CancellationSucceeded, 'succeeded'),
          sum(MetricName.CancellationPending, 'pending'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Notifications',
        width: 8,
        left: [
          sum(MetricName.NotificationReceived, 'received'),
          sum(MetricName.NotificationRejected, 'rejected'),
          sum(MetricName.NotificationDuplicate, 'duplicate'),
        ],
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API responses',
        width: 8,
        left: [
          api.metricCount({ period: PERIOD, statistic: 'Sum', label: 'requests' }),
          api.metricClientError({ period: PERIOD, statistic: 'Sum', label: '4xx' }),
          api.metricServerError({ period: PERIOD, statistic: 'Sum', label: '5xx' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        width: 8,
        left: [
          api.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' }),
          api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99' }),
          api.metricIntegrationLatency({ period: PERIOD, statistic: 'p99', label: 'integration p99' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Settlement',
        width: 8,
        left: [
          this.acrossServices(MetricName.OldestPendingRefundAgeSeconds, 'MAX', 'oldest pending refund (s)'),
        ],
        leftAnnotations: [{ value: OLDEST_PENDING_REFUND_MAX_SECONDS, label: 'alarm' }],
        right: [
          sum(MetricName.RefundUnsettledTooLong, 'unsettled too long'),
          sum(MetricName.MercadoPagoCallFailed, 'Mercado Pago calls failed'),
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
            label: 'dead letters',
          }),
        ],
      }),
    );
    const labelled = (id: FunctionId, fn: lambda.IFunction, kind: 'errors' | 'throttles' | 'duration') => {
      const options = { period: PERIOD, label: id };
      if (kind === 'errors') return fn.metricErrors({ ...options, statistic: 'Sum' });
      if (kind === 'throttles') return fn.metricThrottles({ ...options, statistic: 'Sum' });
      return fn.metricDuration({ ...options, statistic: 'p99' });
    };
    const entries = Object.entries(functions) as [FunctionId, lambda.IFunction][];
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function errors',
        width: 8,
        left: entries.map(([id, fn]) => labelled(id, fn, 'errors')),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function throttles',
        width: 8,
        left: entries.map(([id, fn]) => labelled(id, fn, 'throttles')),
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration p99 (ms)',
        width: 8,
        left: entries.map(([id, fn]) => labelled(id, fn, 'duration')),
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: this.alarms }),
    );
    return dashboard;
  }
}
