/**
 * The HTTP routes of ../shared/API.md and the function that serves each: one list read by the CDK stack,
 * the local server and the OpenAPI document, so they cannot drift apart.
 */
export const FunctionName = {
  Refunds: 'refunds',
  Cancellation: 'cancellation',
  Orders: 'orders',
  QrOrders: 'qr-orders',
  Webhook: 'webhook',
  Reports: 'reports',
  Ops: 'ops',
} as const;
export type FunctionName = (typeof FunctionName)[keyof typeof FunctionName];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type RouteAuth = 'merchant' | 'operator' | 'public';

/** The JWT scope operator routes require (API.md) when the API uses the JWT authorizer. */
export const OPERATOR_SCOPE = 'refunds/ops';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path syntax: `/payments/{paymentId}/refunds`. */
  path: string;
  function: FunctionName;
  /**
   * Merchant routes are authenticated (IAM or JWT); operator routes need their own permission (an IAM policy
   * on these routes only, or the JWT scope `refunds/ops`); the webhook is guarded by its signature.
   */
  auth: RouteAuth;
}

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'POST', path: '/payments/{paymentId}/refunds', function: 'refunds', auth: 'merchant' },
  { method: 'GET', path: '/payments/{paymentId}/refunds', function: 'refunds', auth: 'merchant' },
  { method: 'GET', path: '/payments/{paymentId}/refunds/{refundId}', function: 'refunds', auth: 'merchant' },
  { method: 'POST', path: '/payments/{paymentId}/cancellation', function: 'cancellation', auth: 'merchant' },
  { method: 'POST', path: '/orders/{orderId}/refunds', function: 'orders', auth: 'merchant' },
  { method: 'GET', path: '/orders/{orderId}/refunds', function: 'orders', auth: 'merchant' },
  { method: 'GET', path: '/orders/{orderId}/refunds/{refundId}', function: 'orders', auth: 'merchant' },
  { method: 'POST', path: '/orders/{orderId}/cancellation', function: 'orders', auth: 'merchant' },
  { method: 'GET', path: '/pos/{externalPosId}/order', function: 'qr-orders', auth: 'merchant' },
  { method: 'PUT', path: '/pos/{externalPosId}/order', function: 'qr-orders', auth: 'merchant' },
  { method: 'DELETE', path: '/pos/{externalPosId}/order', function: 'qr-orders', auth: 'merchant' },
  { method: 'POST', path: '/webhooks/mercadopago', function: 'webhook', auth: 'public' },
  { method: 'GET', path: '/reports/refunds', function: 'reports', auth: 'merchant' },
  { method: 'GET', path: '/reports/reconciliations/{date}', function: 'reports', auth: 'merchant' },
  // Operations (API.md): what a person needs to look at and settle, payments and Orders API orders alike.
  { method: 'GET', path: '/ops/attention', function: 'ops', auth: 'operator' },
  { method: 'GET', path: '/payments/{paymentId}/history', function: 'ops', auth: 'operator' },
  { method: 'GET', path: '/orders/{orderId}/history', function: 'ops', auth: 'operator' },
  { method: 'POST', path: '/payments/{paymentId}/recheck', function: 'ops', auth: 'operator' },
  { method: 'POST', path: '/orders/{orderId}/recheck', function: 'ops', auth: 'operator' },
  {
    method: 'POST',
    path: '/payments/{paymentId}/refunds/{refundId}/resolution',
    function: 'ops',
    auth: 'operator',
  },
  {
    method: 'POST',
    path: '/orders/{orderId}/refunds/{refundId}/resolution',
    function: 'ops',
    auth: 'operator',
  },
  {
    method: 'POST',
    path: '/payments/{paymentId}/cancellation/resolution',
    function: 'ops',
    auth: 'operator',
  },
  { method: 'POST', path: '/orders/{orderId}/cancellation/resolution', function: 'ops', auth: 'operator' },
];

/** API Gateway's route key, e.g. `POST /payments/{paymentId}/refunds`: what handlers dispatch on. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

/** Entry file of each function, relative to the repository root (bundled by the stack and the bench). */
export const FUNCTION_ENTRIES = {
  refunds: 'functions/refunds/handler.ts',
  cancellation: 'functions/cancellation/handler.ts',
  /** Refunds and cancellations of Orders API orders. */
  orders: 'functions/orders/handler.ts',
  'qr-orders': 'functions/qr-orders/handler.ts',
  webhook: 'functions/webhook/handler.ts',
  /** The operations routes: attention list, history, recheck, a person's resolutions. */
  ops: 'functions/ops/handler.ts',
  'notification-processor': 'functions/notification-processor/handler.ts',
  reconcile: 'functions/reconcile/handler.ts',
  /** GET /reports/refunds and /reports/reconciliations/{date}. */
  reports: 'functions/reports/handler.ts',
  /** Hourly: reconciles the ledger with Mercado Pago's settlement reports; chargeback deadlines. */
  'reports-job': 'functions/reports-job/handler.ts',
  /** The `$default` route: problem+json 404/405 for requests matching no route above. */
  'not-found': 'functions/not-found/handler.ts',
  /** AWS only: the table's stream consumer that publishes the events each ledger write stored. */
  'event-publisher': 'functions/event-publisher/handler.ts',
} as const;
