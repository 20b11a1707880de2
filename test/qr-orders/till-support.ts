/** The till routes with QR_API=orders over a harness, as the qr-orders Lambda builds them. */
import { createTillStore } from '../../functions/adapters/dynamodb/till-store.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import type { TillOrderDeps } from '../../functions/qr-orders/deps.ts';
import { qrOrderRoutes } from '../../functions/qr-orders/routes.ts';
import { type Harness, invoke, newId, quietLogger } from '../support/harness.ts';

export const tillApi = (h: Harness, overrides: Partial<TillOrderDeps> = {}) => {
  const deps: TillOrderDeps = {
    qrApi: 'orders',
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    tills: createTillStore(h.dynamo, h.tableName),
    clock: h.clock,
    newId,
    settings: h.settings,
    keyRetentionDays: 30,
    siteId: 'MLB',
    ...overrides,
  };
  const handler = createHttpHandler(
    qrOrderRoutes(async () => deps),
    { logger: quietLogger },
  );
  return {
    deps,
    handler,
    put: (pos: string, body: unknown, key?: string) =>
      invoke(handler, {
        method: 'PUT',
        path: `/pos/${pos}/order`,
        body,
        headers: key === undefined ? {} : { 'Idempotency-Key': key },
      }),
    get: (pos: string) => invoke(handler, { method: 'GET', path: `/pos/${pos}/order` }),
    remove: (pos: string) => invoke(handler, { method: 'DELETE', path: `/pos/${pos}/order` }),
  };
};

let references = 0;

/** A PUT body: one item of `amount`, a fresh reference. */
export const orderBody = (amount = 12.5, extra: Record<string, unknown> = {}) => ({
  externalReference: `pedido-${Date.now()}-${++references}`,
  title: 'Cafe y medialunas',
  totalAmount: amount,
  items: [{ title: 'Cafe', unitPrice: amount, quantity: 1, unitMeasure: 'unit', totalAmount: amount }],
  ...extra,
});

/** Orders the sandbox holds for a till. */
export const ordersOfTill = (h: Harness, pos: string) =>
  h.sandbox
    .requests({ method: 'POST', path: /^\/v1\/orders$/ })
    .filter(
      (r) =>
        (r.body as { config?: { qr?: { external_pos_id?: string } } })?.config?.qr?.external_pos_id === pos,
    );

/** Orders the sandbox made with an external reference (its search: one per reference, whatever the tries). */
export const ordersWithReference = async (h: Harness, externalReference: string): Promise<unknown[]> => {
  const day = 86_400_000;
  const query = new URLSearchParams({
    begin_date: new Date(Date.now() - day).toISOString(),
    end_date: new Date(Date.now() + day).toISOString(),
    external_reference: externalReference,
  });
  const res = await fetch(`${h.sandbox.url}/v1/orders?${query}`, {
    headers: { authorization: `Bearer ${h.sandbox.accessToken}` },
  });
  return ((await res.json()) as { data: unknown[] }).data;
};
