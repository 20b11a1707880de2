/** The order routes over the harness, as the orders Lambda builds them, and QR orders made at the sandbox. */
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import type { OrderDeps } from '../../functions/orders/deps.ts';
import { orderRoutes } from '../../functions/orders/routes.ts';
import type { QrMode } from '../../functions/ports/mercadopago.ts';
import { type Harness, invoke, newId, quietLogger, refundWindow } from '../support/harness.ts';

export const orderApi = (h: Harness, overrides: Partial<OrderDeps> = {}) => {
  const deps: OrderDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    clock: h.clock,
    newId,
    settings: h.settings,
    keyRetentionDays: 30,
    refundWindow,
    siteId: 'MLB',
    ...overrides,
  };
  const handler = createHttpHandler(
    orderRoutes(async () => deps),
    { logger: quietLogger },
  );
  let keys = 0;
  return {
    deps,
    handler,
    refund: (orderId: string, body?: unknown, key: string | null = `okey-${Date.now()}-${++keys}`) =>
      invoke(handler, {
        method: 'POST',
        path: `/orders/${orderId}/refunds`,
        ...(body === undefined ? {} : { body }),
        headers: key === null ? {} : { 'Idempotency-Key': key },
      }),
    list: (orderId: string) => invoke(handler, { method: 'GET', path: `/orders/${orderId}/refunds` }),
    get: (orderId: string, refundId: string) =>
      invoke(handler, { method: 'GET', path: `/orders/${orderId}/refunds/${refundId}` }),
    cancel: (orderId: string, key?: string) =>
      invoke(handler, {
        method: 'POST',
        path: `/orders/${orderId}/cancellation`,
        headers: key === undefined ? {} : { 'Idempotency-Key': key },
      }),
  };
};

let orders = 0;

/** A QR order created at the sandbox (through the client), open. */
export const openOrder = async (h: Harness, amount = '100.00', mode: QrMode = 'static', pos = 'CAJA_T') => {
  const order = await h.mercadoPago.createOrder(
    {
      externalReference: `test-${Date.now()}-${++orders}`,
      description: 'test order',
      totalAmount: amount,
      expirationTime: 'PT30M',
      externalPosId: pos,
      mode,
      items: [{ title: 'item', unitPrice: amount, quantity: 1, unitMeasure: 'unit' }],
    },
    { idempotencyKey: `create-${Date.now()}-${orders}` },
  );
  return order.id;
};

/** A QR order created and paid at the sandbox. */
export const paidOrder = async (h: Harness, amount = '100.00') => {
  const orderId = await openOrder(h, amount);
  h.sandbox.payOrder(orderId);
  return orderId;
};

/** Orders refund POSTs the sandbox received. */
export const orderRefundCalls = (h: Harness, orderId: string) =>
  h.sandbox.requests({ method: 'POST', path: new RegExp(`^/v1/orders/${orderId}/refund$`) });

export const orderCancelCalls = (h: Harness, orderId: string) =>
  h.sandbox.requests({ method: 'POST', path: new RegExp(`^/v1/orders/${orderId}/cancel$`) });

/** Events out about one order (published through the outbox). */
export const orderEventsOf = (h: Harness, orderId: string) =>
  h.events().filter((e) => (e.detail as { orderId?: string }).orderId === orderId);

/** The Mercado Pago refund made by a refund of ours (its key), at the sandbox. */
export const refundsAtMercadoPago = (h: Harness, orderId: string) =>
  (
    h.sandbox.getOrder(orderId)?.transactions as {
      refunds?: { id: string; amount: string; status: string }[];
    }
  )?.refunds ?? [];

export { mercadoPagoRefundKey };

/** The payment transaction (`PAY...`) of an order at the sandbox. */
export const paymentTransactionOf = (h: Harness, orderId: string): string => {
  const transactions = h.sandbox.getOrder(orderId)?.transactions as
    | { payments: { id: string }[] }
    | undefined;
  const id = transactions?.payments[0]?.id;
  if (id === undefined) throw new Error(`order ${orderId} has no payment transaction`);
  return id;
};
