/** The Orders API endpoints (`/v1/orders`, QR). Errors are `{"errors":[{"code","message"}]}`. */
import type { Route } from './api-routes.ts';
import { OrdersHttpError } from './order-errors.ts';
import { orderJson, orderRefundJson } from './order-json.ts';
import { forceOrderStatus } from './order-lifecycle.ts';
import { FORCEABLE_ORDER_STATUSES, type ForceableOrderStatus } from './order-records.ts';
import { refundOrder } from './order-refunds.ts';
import { searchOrders } from './order-search.ts';
import { cancelOrder, createOrder, readableOrder, visibleOrder } from './orders.ts';

const ORDER_ID = '([^/]+)';

const isForceable = (value: unknown): value is ForceableOrderStatus =>
  typeof value === 'string' && (FORCEABLE_ORDER_STATUSES as readonly string[]).includes(value);

export const ORDER_ROUTES: Route[] = [
  {
    method: 'POST',
    pattern: /^\/v1\/orders$/,
    idempotencyKey: 'required',
    idempotencyScope: 'orders.create',
    run: (ctx, { body }) => ({ status: 201, body: orderJson(ctx, createOrder(ctx, body)) }),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/orders$/,
    idempotencyKey: 'ignored',
    run: (ctx, { request }) => ({ status: 200, body: searchOrders(ctx, request.query) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v1/orders/${ORDER_ID}$`),
    idempotencyKey: 'ignored',
    run: (ctx, { params }) => ({ status: 200, body: orderJson(ctx, readableOrder(ctx, params[0] ?? '')) }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/orders/${ORDER_ID}/cancel$`),
    idempotencyKey: 'required',
    idempotencyScope: 'orders.cancel',
    run: (ctx, { params }) => ({ status: 200, body: orderJson(ctx, cancelOrder(ctx, params[0] ?? '')) }),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v1/orders/${ORDER_ID}/refund$`),
    idempotencyKey: 'required',
    idempotencyScope: 'orders.refund',
    run: (ctx, { params, body }) => {
      const refund = refundOrder(ctx, params[0] ?? '', body);
      const order = visibleOrder(ctx, refund.orderId);
      const json = orderJson(ctx, order);
      return {
        status: 201,
        body: {
          id: order.id,
          status: json.status,
          status_detail: json.status_detail,
          transactions: { refunds: [orderRefundJson(order, refund)] },
        },
      };
    },
  },
  {
    // Test credentials only (`TEST-` tokens): forces a status and its webhook.
    method: 'POST',
    pattern: new RegExp(`^/v1/orders/${ORDER_ID}/events$`),
    idempotencyKey: 'ignored',
    run: (ctx, { params, body }) => {
      // The router has checked the token: it is the sandbox's.
      if (!ctx.settings.accessToken.startsWith('TEST-')) {
        throw new OrdersHttpError(403, 'forbidden', 'Order events are only for test credentials');
      }
      const status = (body as { status?: unknown } | undefined)?.status;
      if (!isForceable(status)) {
        throw new OrdersHttpError(
          400,
          'invalid_status',
          `status must be one of ${FORCEABLE_ORDER_STATUSES.join(', ')}`,
        );
      }
      forceOrderStatus(ctx, params[0] ?? '', status);
      return { status: 200, body: orderJson(ctx, visibleOrder(ctx, params[0] ?? '')) };
    },
  },
];
