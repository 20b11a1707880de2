/**
 * The whole service in one environment-agnostic stack (no account/region, no lookups): it synthesizes
 * offline and deploys to whatever account and region the deploying credentials point at.
 */

import { Annotations, CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { RECONCILE_EVERY_MINUTES, REPORTS_EVERY_MINUTES } from '../functions/config/timing.ts';
import type { FunctionId } from './access.ts';
import { ConsumedQueue } from './constructs/consumed-queue.ts';
import { LedgerEventStream } from './constructs/ledger-event-stream.ts';
import { LedgerTable } from './constructs/ledger-table.ts';
import { MercadoPagoSecrets } from './constructs/mercadopago-secrets.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { RefundsHttpApi } from './constructs/refunds-http-api.ts';
import { ReportsBucket } from './constructs/reports-bucket.ts';
import {
  FUNCTION_IDS,
  FUNCTION_SPECS,
  ServiceFunctions,
  serviceNameOf,
} from './constructs/service-functions.ts';
import type { StackSettings } from './settings.ts';

export interface RefundsStackProps extends StackProps {
  settings: StackSettings;
  /** Repository root (bundling working directory). */
  projectRoot: string;
}

export const RECONCILE_EVERY = Duration.minutes(RECONCILE_EVERY_MINUTES);
export const REPORTS_EVERY = Duration.minutes(REPORTS_EVERY_MINUTES);

export class RefundsStack extends Stack {
  readonly table: LedgerTable;
  readonly secrets: MercadoPagoSecrets;
  readonly notifications: ConsumedQueue;
  readonly eventBus: events.EventBus;
  readonly httpApi: RefundsHttpApi;
  readonly functions: ServiceFunctions;
  readonly eventStream: LedgerEventStream;
  readonly monitoring: Monitoring;
  readonly reportsBucket: ReportsBucket;
  readonly reportsWake: ConsumedQueue;

  constructor(scope: Construct, id: string, props: RefundsStackProps) {
    super(scope, id, props);
    const { settings } = props;
    Tags.of(this).add('project', 'mercadopago-refunds');
    Tags.of(this).add('stage', settings.stage);
    if (settings.mercadoPago.userId === undefined) {
      // Not an error, so that `cdk synth` works out of the box; but the deployed qr-orders would not start.
      Annotations.of(this).addWarningV2(
        'mercadopago-refunds:mpUserIdMissing',
        'Context "mpUserId" is not set: the QR order routes answer 500 without MP_USER_ID, and the webhook cannot ignore other sellers\' notifications.',
      );
    }

    this.table = new LedgerTable(this, 'Ledger');
    this.secrets = new MercadoPagoSecrets(this, 'MercadoPagoSecrets', {
      stage: settings.stage,
      existingAccessTokenArn: settings.accessTokenSecretArn,
      existingWebhookSecretArn: settings.webhookSecretArn,
    });
    // Webhook -> processor; a notification that failed five times is kept for a person (dead letters).
    this.notifications = new ConsumedQueue(this, 'Notifications', {
      consumerTimeout: FUNCTION_SPECS['notification-processor'].timeout,
      retention: Duration.days(4),
      maxReceiveCount: 5,
    });
    this.eventBus = new events.EventBus(this, 'EventBus', {
      description: `Refund, cancellation and payment events of mercadopago-refunds (${settings.stage})`,
    });
    this.httpApi = new RefundsHttpApi(this, 'HttpApi', {
      stage: settings.stage,
      authMode: settings.authMode,
      jwt: settings.jwt,
      throttling: settings.throttling,
      logRetention: settings.logRetention,
    });
    const webhookUrl = settings.publicWebhookUrl ?? this.httpApi.webhookUrl;
    this.reportsBucket = new ReportsBucket(this, 'Reports');
    // A report-ready notice wakes the reports job (at most one per 10 s); retried once, then kept: the next
    // hourly run does the same work. A wake older than a day is worth no more than the runs since.
    this.reportsWake = new ConsumedQueue(this, 'ReportsWake', {
      consumerTimeout: FUNCTION_SPECS['reports-job'].timeout,
      retention: Duration.days(1),
      maxReceiveCount: 2,
    });

    this.functions = new ServiceFunctions(this, 'Functions', {
      projectRoot: props.projectRoot,
      settings,
      table: this.table,
      accessToken: this.secrets.accessToken,
      webhookSecrets: this.secrets.webhookSecrets,
      notificationQueue: this.notifications.queue,
      deadLetterQueue: this.notifications.deadLetterQueue,
      eventBus: this.eventBus,
      webhookUrl,
      reportsBucket: this.reportsBucket.bucket,
      reportsWakeQueue: this.reportsWake.queue,
    });
    const fn = (functionId: FunctionId) => this.functions.byId[functionId].function;

    this.httpApi.addRoutes({
      refunds: fn('refunds'),
      cancellation: fn('cancellation'),
      orders: fn('orders'),
      'qr-orders': fn('qr-orders'),
      webhook: fn('webhook'),
      reports: fn('reports'),
      ops: fn('ops'),
    });
    this.httpApi.addCatchAllRoute(fn('not-found'));
    const callerPolicies = this.httpApi.addCallerPolicies({
      deadLetterQueue: this.notifications.deadLetterQueue,
      queue: this.notifications.queue,
    });

    fn('notification-processor').addEventSource(
      new SqsEventSource(this.notifications.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // Caps parallel re-reads at Mercado Pago during notification bursts (its 429s cost retries).
        maxConcurrency: 5,
      }),
    );

    this.eventStream = new LedgerEventStream(this, 'EventStream', {
      table: this.table.table,
      publisher: fn('event-publisher'),
    });

    // A failed run is retried by the next one 5 minutes later: no asynchronous retries on top of it.
    fn('reconcile').configureAsyncInvoke({ retryAttempts: 0 });
    new events.Rule(this, 'ReconcileSchedule', {
      description: 'Runs reconcile: settles pending refunds and cancellations',
      schedule: events.Schedule.rate(RECONCILE_EVERY),
      targets: [new targets.LambdaFunction(fn('reconcile'))],
    });

    // A failed run is the next hour's to retry (each day is idempotent): no asynchronous retries on top.
    fn('reports-job').configureAsyncInvoke({ retryAttempts: 0 });
    new events.Rule(this, 'ReportsSchedule', {
      description:
        'Runs reports-job: reconciles the ledger with the settlement reports, chargeback deadlines',
      schedule: events.Schedule.rate(REPORTS_EVERY),
      targets: [new targets.LambdaFunction(fn('reports-job'))],
    });
    // Report-ready notices wake it between the hours (API.md): one wake per run, at most 2 runs at once
    // (SQS's minimum); two runs of one day at once are safe, each day's work is idempotent.
    fn('reports-job').addEventSource(
      new SqsEventSource(this.reportsWake.queue, { batchSize: 1, maxConcurrency: 2 }),
    );

    const serviceNames = Object.fromEntries(
      FUNCTION_IDS.map((functionId) => [functionId, serviceNameOf(functionId, settings.stage)]),
    ) as Record<FunctionId, string>;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: settings.stage,
      alarmEmail: settings.alarmEmail,
      functions: Object.fromEntries(FUNCTION_IDS.map((functionId) => [functionId, fn(functionId)])) as Record<
        FunctionId,
        ReturnType<typeof fn>
      >,
      serviceNames,
      api: this.httpApi.api,
      deadLetterQueue: this.notifications.deadLetterQueue,
      eventFailureQueue: this.eventStream.failureQueue,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'WebhookUrl', {
      value: webhookUrl,
      description: 'Notification URL to register at Mercado Pago',
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'AccessTokenSecretArn', {
      value: this.secrets.accessToken.secretArn,
      description: 'Put the Mercado Pago access token here',
    });
    new CfnOutput(this, 'WebhookSecretArn', {
      value: this.secrets.webhookSecrets.secretArn,
      description: 'Put {"current": "<webhook secret>"} here',
    });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'ReportsBucketName', {
      value: this.reportsBucket.bucket.bucketName,
      description: 'Settlement report files and reconciliation results',
    });
    new CfnOutput(this, 'NotificationDeadLetterQueueArn', {
      value: this.notifications.deadLetterQueue.queueArn,
      description:
        'npm run ops -- redrive --dlq-arn <this> moves its messages back to the notification queue',
    });
    if (callerPolicies) {
      new CfnOutput(this, 'MerchantPolicyArn', {
        value: callerPolicies.merchant.managedPolicyArn,
        description: "Attach to the merchant's role: the merchant routes only",
      });
      new CfnOutput(this, 'OperatorPolicyArn', {
        value: callerPolicies.operator.managedPolicyArn,
        description: "Attach to operators' roles: the operations routes and the dead-letter redrive",
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
  }
}
