/**
 * The nine functions of FUNCTION_ENTRIES, each with exactly the variables its configuration loader reads and
 * exactly the grants of its row in infra/access.ts.
 */

import { join } from 'node:path';
import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/config/timing.ts';
import { FUNCTION_ENTRIES } from '../../functions/routes.ts';
import { type FunctionId, functionAccess } from '../access.ts';
import type { StackSettings } from '../settings.ts';
import type { LedgerTable } from './ledger-table.ts';
import { ProjectFunction } from './project-function.ts';

interface FunctionSpec {
  description: string;
  timeout: Duration;
}

/** Descriptions here; timeouts from functions/config/timing.ts, where the budgets that depend on them live. */
const FUNCTION_DESCRIPTIONS: Record<FunctionId, string> = {
  refunds: 'Creates and lists refunds of Mercado Pago payments',
  cancellation: 'Cancels Mercado Pago payments not yet charged',
  orders: 'Refunds and cancels Mercado Pago Orders API orders',
  'qr-orders': 'Puts, reads and removes in-store QR orders',
  webhook: 'Receives Mercado Pago notifications',
  ops: 'Operations routes: what waits on a person, histories, rechecks, resolutions',
  'notification-processor': 'Applies queued Mercado Pago notifications to the ledger',
  reconcile: 'Settles pending refunds and cancellations',
  reports: "Lists refunds by day and each day's reconciliation with the settlement report",
  'reports-job': 'Reconciles the ledger with Mercado Pago settlement reports; warns of chargeback deadlines',
  'not-found': 'Answers requests matching no route: problem+json 404 or 405',
  'event-publisher': 'Publishes the events stored by ledger writes, from the table stream',
};

export const FUNCTION_SPECS = Object.fromEntries(
  (Object.keys(FUNCTION_DESCRIPTIONS) as FunctionId[]).map((id) => [
    id,
    {
      description: FUNCTION_DESCRIPTIONS[id],
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS[id]),
    },
  ]),
) as Record<FunctionId, FunctionSpec>;

export const FUNCTION_IDS = Object.keys(FUNCTION_ENTRIES) as FunctionId[];

/** POWERTOOLS_SERVICE_NAME, hence the metrics' `service` dimension: per stage, so stages sharing an account do not mix. */
export const serviceNameOf = (functionId: FunctionId, stage: string): string => `${functionId}-${stage}`;

export interface ServiceFunctionsProps {
  projectRoot: string;
  settings: StackSettings;
  table: LedgerTable;
  accessToken: secretsmanager.ISecret;
  webhookSecrets: secretsmanager.ISecret;
  notificationQueue: sqs.IQueue;
  /** The notifications' dead-letter queue: the operations routes list its depth. */
  deadLetterQueue: sqs.IQueue;
  eventBus: events.IEventBus;
  /** The notification URL sent with QR orders (PUBLIC_WEBHOOK_URL). */
  webhookUrl: string;
  /** The reports job's wake queue: the webhook sends to it on a report-ready notice (REPORTS_WAKE_QUEUE_URL). */
  reportsWakeQueue: sqs.IQueue;
  /** Where the reports job keeps report files and results (REPORTS_BUCKET). */
  reportsBucket: s3.IBucket;
}

export class ServiceFunctions extends Construct {
  readonly byId: Record<FunctionId, ProjectFunction>;

  constructor(scope: Construct, id: string, props: ServiceFunctionsProps) {
    super(scope, id);
    const { settings } = props;

    // Each function gets exactly the variables its configuration loader reads (functions/<name>/config.ts;
    // test/infra/stack.test.ts checks each loader accepts its environment and reads every variable of it).
    const logLevel = { LOG_LEVEL: settings.logLevel };
    const table = { TABLE_NAME: props.table.table.tableName };
    const mercadoPago = {
      MP_ACCESS_TOKEN_SECRET_ARN: props.accessToken.secretArn,
      ...optional('MP_API_BASE_URL', settings.mercadoPago.apiBaseUrl),
    };
    // Every writer of pending work schedules its first check (the due-work index), not only the job.
    const settlement = optional(
      'RECONCILE_PENDING_AFTER_SECONDS',
      settings.reconcilePendingAfterSeconds?.toString(),
    );
    const seller = optional('MP_USER_ID', settings.mercadoPago.userId);
    const attention = optional('ATTENTION_AFTER_SECONDS', settings.attentionAfterSeconds?.toString());
    // MP_SITE_ID: the currency of an order whose answer names none.
    const site = { MP_SITE_ID: settings.mercadoPago.siteId };
    const environments: Record<FunctionId, Record<string, string>> = {
      refunds: {
        ...logLevel,
        ...table,
        ...mercadoPago,
        ...settlement,
        ...optional('REFUND_WINDOW_DAYS', settings.refundWindowDays),
      },
      cancellation: { ...logLevel, ...table, ...mercadoPago, ...settlement },
      orders: {
        ...logLevel,
        ...table,
        ...mercadoPago,
        ...settlement,
        ...optional('REFUND_WINDOW_DAYS', settings.refundWindowDays),
        MP_SITE_ID: settings.mercadoPago.siteId,
      },
      'qr-orders': {
        ...logLevel,
        ...table,
        ...mercadoPago,
        // QR_API=orders: each till order has a ledger, whose first check it schedules.
        ...settlement,
        ...optional('QR_API', settings.qrApi),
        ...seller,
        MP_SITE_ID: settings.mercadoPago.siteId,
        ...optional('MP_EXTERNAL_STORE_ID', settings.mercadoPago.externalStoreId),
        PUBLIC_WEBHOOK_URL: props.webhookUrl,
      },
      // Verifies, dedupes and enqueues: no Mercado Pago token (and no permission to read it).
      webhook: {
        ...logLevel,
        ...table,
        ...seller,
        MP_WEBHOOK_SECRET_ARN: props.webhookSecrets.secretArn,
        NOTIFICATION_QUEUE_URL: props.notificationQueue.queueUrl,
        REPORTS_WAKE_QUEUE_URL: props.reportsWakeQueue.queueUrl,
        ...optional('WEBHOOK_TOLERANCE_SECONDS', settings.webhookToleranceSeconds?.toString()),
      },
      ops: {
        ...logLevel,
        ...table,
        ...mercadoPago,
        ...settlement,
        ...attention,
        ...site,
        NOTIFICATION_DLQ_URL: props.deadLetterQueue.queueUrl,
      },
      'notification-processor': { ...logLevel, ...table, ...mercadoPago, ...settlement, ...seller, ...site },
      reconcile: { ...logLevel, ...table, ...mercadoPago, ...settlement, ...seller, ...attention, ...site },
      reports: {
        ...logLevel,
        ...table,
        ...optional('REPORT_GRACE_DAYS', settings.reports.graceDays?.toString()),
      },
      'reports-job': {
        ...logLevel,
        ...table,
        ...mercadoPago,
        ...settlement,
        ...seller,
        REPORTS_BUCKET: props.reportsBucket.bucketName,
        ...optional('REPORT_GRACE_DAYS', settings.reports.graceDays?.toString()),
        ...optional('REPORT_WAIT_HOURS', settings.reports.waitHours?.toString()),
        ...optional('REPORTS_MANAGE_CONFIG', settings.reports.manageConfig?.toString()),
        ...optional('CHARGEBACK_WARNING_DAYS', settings.reports.chargebackWarningDays?.toString()),
      },
      'not-found': logLevel,
      'event-publisher': { ...logLevel, EVENT_BUS_NAME: props.eventBus.eventBusName },
    };

    const created: Partial<Record<FunctionId, ProjectFunction>> = {};
    for (const functionId of FUNCTION_IDS) {
      const access = functionAccess(functionId, settings);
      const spec = FUNCTION_SPECS[functionId];
      const fn = new ProjectFunction(this, pascalCase(functionId), {
        entry: join(props.projectRoot, FUNCTION_ENTRIES[functionId]),
        projectRoot: props.projectRoot,
        description: `${spec.description} (${settings.stage})`,
        serviceName: serviceNameOf(functionId, settings.stage),
        timeout: spec.timeout,
        logRetention: settings.logRetention,
        environment: environments[functionId],
      });

      if (access.table.length > 0) fn.allow(access.table, [props.table.table.tableArn]);
      if (access.queriesPendingIndex) fn.allow(['dynamodb:Query'], [props.table.pendingIndexArn]);
      if (access.readsAccessToken) fn.allow(['secretsmanager:GetSecretValue'], [props.accessToken.secretArn]);
      if (access.readsWebhookSecrets)
        fn.allow(['secretsmanager:GetSecretValue'], [props.webhookSecrets.secretArn]);
      if (access.publishesEvents) fn.allow(['events:PutEvents'], [props.eventBus.eventBusArn]);
      if (access.sendsNotifications) fn.allow(['sqs:SendMessage'], [props.notificationQueue.queueArn]);
      if (access.wakesReports) fn.allow(['sqs:SendMessage'], [props.reportsWakeQueue.queueArn]);
      if (access.usesReportsBucket) {
        fn.allow(['s3:PutObject', 's3:GetObject'], [props.reportsBucket.arnForObjects('*')]);
        const bucketId = Stack.of(this).getLogicalId(props.reportsBucket.node.defaultChild as CfnElement);
        Validations.of(fn.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
          reason:
            'The reports job writes and reads objects of its own bucket only (files and results, one per day).',
        });
      }
      if (access.countsDeadLetters) fn.allow(['sqs:GetQueueAttributes'], [props.deadLetterQueue.queueArn]);
      created[functionId] = fn;
    }
    this.byId = created as Record<FunctionId, ProjectFunction>;
  }
}

const optional = (name: string, value: string | undefined): Record<string, string> =>
  value === undefined ? {} : { [name]: value };

const pascalCase = (id: string): string =>
  id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
