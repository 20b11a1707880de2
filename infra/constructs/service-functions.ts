/**
 * The eight functions of FUNCTION_ENTRIES, each with its environment and exactly the grants of its row in
 * infra/access.ts. Configuration that is not a resource (site, user id, windows, log level) goes to every
 * function that runs loadConfig: it reads the same variables everywhere. not-found and event-publisher run
 * none: LOG_LEVEL only (plus the bus for event-publisher).
 */

import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ENTRIES } from '../../functions/routes.ts';
import { FUNCTION_ACCESS, type FunctionId } from '../access.ts';
import type { StackSettings } from '../settings.ts';
import type { LedgerTable } from './ledger-table.ts';
import { ProjectFunction } from './project-function.ts';

interface FunctionSpec {
  description: string;
  timeout: Duration;
  /** Runs loadConfig at cold start, so needs the service's configuration; default true. */
  loadsConfig?: boolean;
}

/**
 * API functions answer within the HTTP API's 30 s integration limit; the webhook within Mercado Pago's 22 s
 * (after which it retries anyway). Background functions are bounded too: the processor's timeout sets the
 * queue's visibility timeout, and reconcile runs every 5 minutes.
 */
export const FUNCTION_SPECS: Record<FunctionId, FunctionSpec> = {
  refunds: {
    description: 'Creates and lists refunds of Mercado Pago payments',
    timeout: Duration.seconds(25),
  },
  cancellation: {
    description: 'Cancels Mercado Pago payments not yet charged',
    timeout: Duration.seconds(25),
  },
  'qr-orders': { description: 'Puts, reads and removes in-store QR orders', timeout: Duration.seconds(25) },
  webhook: { description: 'Receives Mercado Pago notifications', timeout: Duration.seconds(20) },
  'notification-processor': {
    description: 'Applies queued Mercado Pago notifications to the ledger',
    timeout: Duration.seconds(60),
  },
  reconcile: { description: 'Settles pending refunds and cancellations', timeout: Duration.minutes(5) },
  'not-found': {
    description: 'Answers requests matching no route: problem+json 404 or 405',
    timeout: Duration.seconds(5),
    loadsConfig: false,
  },
  // A batch is at most 25 records of a few events: a few PutEvents calls, retried within the call.
  'event-publisher': {
    description: 'Publishes the events stored by ledger writes, from the table stream',
    timeout: Duration.seconds(30),
    loadsConfig: false,
  },
};

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
  eventBus: events.IEventBus;
  /** The notification URL sent with QR orders (PUBLIC_WEBHOOK_URL). */
  webhookUrl: string;
}

export class ServiceFunctions extends Construct {
  readonly byId: Record<FunctionId, ProjectFunction>;

  constructor(scope: Construct, id: string, props: ServiceFunctionsProps) {
    super(scope, id);
    const { settings } = props;

    const common: Record<string, string> = {
      TABLE_NAME: props.table.table.tableName,
      // Every function's loadConfig requires a token source; only the readers of access.ts may read it.
      MP_ACCESS_TOKEN_SECRET_ARN: props.accessToken.secretArn,
      MP_SITE_ID: settings.mercadoPago.siteId,
      LOG_LEVEL: settings.logLevel,
      ...optional('MP_API_BASE_URL', settings.mercadoPago.apiBaseUrl),
      ...optional('MP_USER_ID', settings.mercadoPago.userId),
      ...optional('MP_EXTERNAL_STORE_ID', settings.mercadoPago.externalStoreId),
      ...optional('REFUND_WINDOW_DAYS', settings.refundWindowDays),
      // Every writer of pending work schedules its first check (the due-work index), not only the job.
      ...optional('RECONCILE_PENDING_AFTER_SECONDS', settings.reconcilePendingAfterSeconds?.toString()),
    };
    const specific: Record<FunctionId, Record<string, string>> = {
      refunds: {},
      cancellation: {},
      'qr-orders': { PUBLIC_WEBHOOK_URL: props.webhookUrl },
      webhook: {
        MP_WEBHOOK_SECRET_ARN: props.webhookSecrets.secretArn,
        NOTIFICATION_QUEUE_URL: props.notificationQueue.queueUrl,
        ...optional('WEBHOOK_TOLERANCE_SECONDS', settings.webhookToleranceSeconds?.toString()),
      },
      'notification-processor': {},
      reconcile: {},
      'not-found': {},
      'event-publisher': {},
    };

    const created: Partial<Record<FunctionId, ProjectFunction>> = {};
    for (const functionId of FUNCTION_IDS) {
      const access = FUNCTION_ACCESS[functionId];
      const spec = FUNCTION_SPECS[functionId];
      const fn = new ProjectFunction(this, pascalCase(functionId), {
        entry: join(props.projectRoot, FUNCTION_ENTRIES[functionId]),
        projectRoot: props.projectRoot,
        description: `${spec.description} (${settings.stage})`,
        serviceName: serviceNameOf(functionId, settings.stage),
        timeout: spec.timeout,
        logRetention: settings.logRetention,
        environment: {
          ...(spec.loadsConfig === false ? { LOG_LEVEL: settings.logLevel } : common),
          ...specific[functionId],
          ...(access.publishesEvents ? { EVENT_BUS_NAME: props.eventBus.eventBusName } : {}),
        },
      });

      if (access.table.length > 0) fn.allow(access.table, [props.table.table.tableArn]);
      if (access.queriesPendingIndex) fn.allow(['dynamodb:Query'], [props.table.pendingIndexArn]);
      if (access.readsAccessToken) fn.allow(['secretsmanager:GetSecretValue'], [props.accessToken.secretArn]);
      if (access.readsWebhookSecrets)
        fn.allow(['secretsmanager:GetSecretValue'], [props.webhookSecrets.secretArn]);
      if (access.publishesEvents) fn.allow(['events:PutEvents'], [props.eventBus.eventBusArn]);
      if (access.sendsNotifications) fn.allow(['sqs:SendMessage'], [props.notificationQueue.queueArn]);
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
