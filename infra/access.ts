/**
 * What each function may touch: the least-privilege matrix the stack turns into IAM statements and
 * environment variables. A function gets a resource's name/ARN only when it may use it. Changing what a handler does means changing its row here (and infra/README.md).
 */
import type { FUNCTION_ENTRIES } from '../functions/routes.ts';

export type FunctionId = keyof typeof FUNCTION_ENTRIES;

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query';

export interface FunctionAccess {
  /** Actions on the table itself. */
  table: readonly TableAction[];
  /** Query on the sparse pending-work index (gsi1): the reconciliation job and the operations routes read it. */
  queriesPendingIndex: boolean;
  /** secretsmanager:GetSecretValue on the Mercado Pago access token. */
  readsAccessToken: boolean;
  /** secretsmanager:GetSecretValue on the webhook signing secrets. */
  readsWebhookSecrets: boolean;
  /**
   * events:PutEvents on the outbound bus (EVENT_BUS_NAME): only the stream's event publisher. Every other
   * function stores the events of its writes in the items it writes (their outbox), and never publishes.
   */
  publishesEvents: boolean;
  /** sqs:SendMessage on the notification queue (NOTIFICATION_QUEUE_URL). */
  sendsNotifications: boolean;
  /** sqs:SendMessage on the reports job's wake queue (REPORTS_WAKE_QUEUE_URL): only the webhook. */
  wakesReports?: boolean;
  /** s3:PutObject / s3:GetObject on the reports bucket (REPORTS_BUCKET): only the reports job. */
  usesReportsBucket?: boolean;
  /** sqs:GetQueueAttributes on the notifications' dead-letter queue (NOTIFICATION_DLQ_URL): its depth only. */
  countsDeadLetters: boolean;
}

const READ_WRITE: readonly TableAction[] = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
];

export const FUNCTION_ACCESS: Record<FunctionId, FunctionAccess> = {
  refunds: {
    table: READ_WRITE,
    queriesPendingIndex: false,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  cancellation: {
    table: READ_WRITE,
    queriesPendingIndex: false,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  // The refund function's row, for Orders API orders.
  orders: {
    table: READ_WRITE,
    queriesPendingIndex: false,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  'qr-orders': {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    queriesPendingIndex: false,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  // Verifies the signature, dedupes, enqueues and answers: it never calls Mercado Pago (the processor
  // re-reads the resource): neither the token's ARN nor a read on it. A report-ready notice wakes the
  // reports job through its queue.
  webhook: {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    queriesPendingIndex: false,
    readsAccessToken: false,
    readsWebhookSecrets: true,
    publishesEvents: false,
    sendsNotifications: true,
    wakesReports: true,
    countsDeadLetters: false,
  },
  'notification-processor': {
    table: READ_WRITE,
    queriesPendingIndex: false,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  reconcile: {
    table: READ_WRITE,
    queriesPendingIndex: true,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  // The operations routes: read and write ledgers and their keys like the refund routes, list every open
  // ledger from the index (gsi1), re-read Mercado Pago, and count the dead letters for a person.
  ops: {
    table: READ_WRITE,
    queriesPendingIndex: true,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: true,
  },
  // Reads the table only: the refunds-by-day index, the ledgers it points at, each day's reconciliation.
  reports: {
    table: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
    queriesPendingIndex: false,
    readsAccessToken: false,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  // Requests, downloads (to the bucket) and reconciles settlement reports; re-reads payments and chargebacks.
  // Consumes the wake queue through its event source mapping (stack.ts), which grants that read.
  'reports-job': {
    table: READ_WRITE,
    queriesPendingIndex: false,
    readsAccessToken: true,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    usesReportsBucket: true,
    countsDeadLetters: false,
  },
  // The `$default` route's 404/405: no configuration, no resource, not even the token's ARN.
  'not-found': {
    table: [],
    queriesPendingIndex: false,
    readsAccessToken: false,
    readsWebhookSecrets: false,
    publishesEvents: false,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
  // Reads the table's stream through its event source mapping (stack.ts), which grants that read; no table action.
  'event-publisher': {
    table: [],
    queriesPendingIndex: false,
    readsAccessToken: false,
    readsWebhookSecrets: false,
    publishesEvents: true,
    sendsNotifications: false,
    countsDeadLetters: false,
  },
};

/**
 * A function's row for these settings: with QR_API=orders the till routes also keep an optional
 * Idempotency-Key on PUT (BatchGetItem of the key and its ledger, DeleteItem to free it); the instore API
 * needs neither.
 */
export const functionAccess = (
  functionId: FunctionId,
  settings: { qrApi: string | undefined },
): FunctionAccess => {
  const row = FUNCTION_ACCESS[functionId];
  if (functionId !== 'qr-orders' || settings.qrApi !== 'orders') return row;
  return { ...row, table: [...row.table, 'dynamodb:BatchGetItem', 'dynamodb:DeleteItem'] };
};
