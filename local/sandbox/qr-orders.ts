/**
 * In-store QR orders (attended model): one order per till, valid for `X-Ttl-Store-Preference` seconds
 * (default 600) or until `expiration_date`, whichever comes first. Each order gets a merchant order
 * (`opened`); paying it (control API) makes an approved in-person payment and closes the merchant order;
 * expiry, removal or replacement marks it `expired`. Another collector's user id in the path: PUT is 403,
 * GET and DELETE see no order (404).
 */
import {
  decimalsOf,
  fromMinorUnits,
  roundToMinorUnits,
  SITE_CURRENCY,
  toMinorUnits,
} from '../../functions/model/money.ts';
import { DEFAULT_QR_TTL_SECONDS, type SandboxContext } from './context.ts';
import { mpDate, SECOND_MS } from './dates.ts';
import { addMerchantOrder, setMerchantOrderStatus } from './merchant-orders.ts';
import { badRequest, MpHttpError, SandboxControlError } from './mp-errors.ts';
import { addPayment, announcePayment } from './payments.ts';
import type { QrItem, QrOrderRecord } from './state.ts';

export interface PutQrOrderRequest {
  userId: string;
  storeId: string | null;
  posId: string;
  /** Value of the `X-Ttl-Store-Preference` header, when sent. */
  ttlHeader: string | undefined;
  body: unknown;
}

const EXTERNAL_REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const orderNotFound = (posId: string): MpHttpError =>
  new MpHttpError({
    error: 'point_of_sale_in_store_order_not_found',
    message: `in-store order not found for pos ${posId}`,
    status: 404,
    cause: [],
  });

/** Cents of a price that may have at most 2 decimals; null otherwise. */
const cents = (value: unknown): number | null =>
  typeof value === 'number' && value > 0 ? toMinorUnits(value, 2) : null;

const optionalString = (body: JsonObject, field: string, now: number): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(now, `${field} must be a string`, `invalid_${field}`);
  return value;
};

const parseItem = (value: unknown, index: number, now: number): { item: QrItem; totalCents: number } => {
  const bad = (what: string) => badRequest(now, `items[${index}]: ${what}`, 'invalid_items');
  if (!isObject(value)) throw bad('must be an object');
  if (typeof value.title !== 'string' || value.title === '') throw bad('title is required');
  const unitCents = cents(value.unit_price);
  if (unitCents === null) throw bad('unit_price must be a positive number with at most 2 decimals');
  const quantity = value.quantity;
  if (typeof quantity !== 'number' || !(quantity > 0)) throw bad('quantity must be a positive number');
  if (typeof value.unit_measure !== 'string' || value.unit_measure === '')
    throw bad('unit_measure is required');
  const totalCents = cents(value.total_amount);
  if (totalCents === null) throw bad('total_amount must be a positive number with at most 2 decimals');
  if (Math.round(unitCents * quantity) !== totalCents)
    throw bad('total_amount must be unit_price x quantity');
  const item: QrItem = {
    title: value.title,
    unit_price: value.unit_price as number,
    quantity,
    unit_measure: value.unit_measure,
    total_amount: value.total_amount as number,
  };
  for (const field of ['sku_number', 'category', 'description'] as const) {
    const text = optionalString(value, field, now);
    if (text !== undefined) item[field] = text;
  }
  return { item, totalCents };
};

const expiresAtOf = (request: PutQrOrderRequest, body: JsonObject, now: number): number => {
  let ttlSeconds = DEFAULT_QR_TTL_SECONDS;
  if (request.ttlHeader !== undefined) {
    if (!/^\d{1,9}$/.test(request.ttlHeader.trim()) || Number(request.ttlHeader) <= 0) {
      throw badRequest(now, 'X-Ttl-Store-Preference must be a positive number of seconds', 'invalid_ttl');
    }
    ttlSeconds = Number(request.ttlHeader);
  }
  let expiresAt = now + ttlSeconds * SECOND_MS;
  const expiration = optionalString(body, 'expiration_date', now);
  if (expiration !== undefined) {
    const at = /^\d{4}-\d{2}-\d{2}T/.test(expiration) ? Date.parse(expiration) : Number.NaN;
    if (!Number.isFinite(at))
      throw badRequest(now, 'expiration_date must be an ISO-8601 date', 'invalid_expiration_date');
    if (at <= now) throw badRequest(now, 'expiration_date must be in the future', 'invalid_expiration_date');
    expiresAt = Math.min(expiresAt, at);
  }
  return expiresAt;
};

/** PUT .../pos/{pos}/orders: validates, replaces the till's order (204 on success). */
export const putQrOrder = (ctx: SandboxContext, request: PutQrOrderRequest): QrOrderRecord => {
  const now = ctx.now();
  if (request.userId !== ctx.settings.userId) {
    throw new MpHttpError({
      message: 'The user in the path does not own the access token',
      error: 'forbidden',
      status: 403,
      cause: [],
    });
  }
  const body = request.body;
  if (!isObject(body)) throw badRequest(now, 'The body must be a JSON object');
  const reference = body.external_reference;
  if (typeof reference !== 'string' || !EXTERNAL_REFERENCE.test(reference)) {
    throw badRequest(
      now,
      'external_reference is required: 1 to 64 letters, digits, - or _',
      'invalid_external_reference',
    );
  }
  const totalCents = cents(body.total_amount);
  if (totalCents === null) {
    throw badRequest(
      now,
      'total_amount must be a positive number with at most 2 decimals',
      'invalid_total_amount',
    );
  }
  if (!Array.isArray(body.items) || body.items.length === 0) {
    throw badRequest(now, 'items must be a non-empty array', 'invalid_items');
  }
  const parsed = body.items.map((item, index) => parseItem(item, index, now));
  if (parsed.reduce((sum, p) => sum + p.totalCents, 0) !== totalCents) {
    throw badRequest(now, 'total_amount must be the sum of the items total_amount', 'invalid_total_amount');
  }
  const title = optionalString(body, 'title', now) ?? null;
  const description = optionalString(body, 'description', now) ?? null;
  const notificationUrl = optionalString(body, 'notification_url', now) ?? null;
  const expiresAt = expiresAtOf(request, body, now);

  removeOrder(ctx, request.posId);
  const items = parsed.map((p) => p.item);
  const merchantOrder = addMerchantOrder(ctx, {
    status: 'opened',
    siteId: ctx.settings.siteId,
    currency: SITE_CURRENCY[ctx.settings.siteId],
    collectorId: ctx.settings.userId,
    externalReference: reference,
    totalAmount: body.total_amount as number,
    items,
    paymentIds: [],
    posId: request.posId,
    storeId: request.storeId,
    notificationUrl,
  });
  const order: QrOrderRecord = {
    posId: request.posId,
    storeId: request.storeId,
    collectorId: ctx.settings.userId,
    externalReference: reference,
    title,
    description,
    totalAmount: body.total_amount as number,
    items,
    notificationUrl,
    sponsor: body.sponsor,
    cashOut: body.cash_out,
    createdAt: now,
    expiresAt,
    merchantOrderId: merchantOrder.id,
  };
  ctx.store.qrOrders.set(request.posId, order);
  ctx.log(`QR order ${reference} on till ${request.posId}, merchant order ${merchantOrder.id}`);
  return order;
};

/** The order as GET .../pos/{pos}/orders shows it (fixtures/qr_instore_order_get_response.devsite-docs.json). */
export const qrOrderJson = (order: QrOrderRecord): Record<string, unknown> => ({
  external_reference: order.externalReference,
  total_amount: order.totalAmount,
  items: order.items,
  title: order.title,
  description: order.description,
  ...(order.sponsor === undefined ? {} : { sponsor: order.sponsor }),
  ...(order.cashOut === undefined ? {} : { cash_out: order.cashOut }),
  expiration_date: mpDate(order.expiresAt),
  notification_url: order.notificationUrl,
});

/** null when the till has no order (or the user id is not the token's). */
export const findQrOrder = (ctx: SandboxContext, userId: string, posId: string): QrOrderRecord | null => {
  if (userId !== ctx.settings.userId) return null;
  return ctx.store.qrOrders.get(posId) ?? null;
};

export const getQrOrderOrThrow = (ctx: SandboxContext, userId: string, posId: string): QrOrderRecord => {
  const order = findQrOrder(ctx, userId, posId);
  if (!order) throw orderNotFound(posId);
  return order;
};

export const deleteQrOrder = (ctx: SandboxContext, userId: string, posId: string): void => {
  getQrOrderOrThrow(ctx, userId, posId);
  removeOrder(ctx, posId);
};

/** Takes the till's order off (replace, delete, expiry): its merchant order expires. */
const removeOrder = (ctx: SandboxContext, posId: string): void => {
  const order = ctx.store.qrOrders.get(posId);
  if (!order) return;
  ctx.store.qrOrders.delete(posId);
  const merchantOrder = ctx.store.merchantOrders.get(order.merchantOrderId);
  if (merchantOrder && merchantOrder.status === 'opened')
    setMerchantOrderStatus(ctx, merchantOrder, 'expired');
};

export const expireQrOrders = (ctx: SandboxContext): void => {
  const now = ctx.now();
  for (const order of [...ctx.store.qrOrders.values()]) {
    if (order.expiresAt > now) continue;
    ctx.log(`QR order ${order.externalReference} on till ${order.posId} expired`);
    removeOrder(ctx, order.posId);
  }
};

export interface QrPaymentResult {
  paymentId: string;
  merchantOrderId: string;
}

/** Control API: the buyer scans and pays the till's order. */
export const payQrOrder = (ctx: SandboxContext, posId: string): QrPaymentResult => {
  const order = ctx.store.qrOrders.get(posId);
  if (!order) throw new SandboxControlError(`till ${posId} has no order`);
  const currency = SITE_CURRENCY[ctx.settings.siteId];
  const decimals = decimalsOf(currency);
  const payment = addPayment(ctx, {
    status: 'approved',
    siteId: ctx.settings.siteId,
    amount: fromMinorUnits(roundToMinorUnits(order.totalAmount, decimals), decimals),
    inPerson: 'qr',
    merchantOrderId: order.merchantOrderId,
    externalReference: order.externalReference,
    description: order.title ?? 'QR order',
    posId,
    ...(order.storeId === null ? {} : { storeId: order.storeId }),
  });
  ctx.store.qrOrders.delete(posId);
  const merchantOrder = ctx.store.merchantOrders.get(order.merchantOrderId)!;
  merchantOrder.paymentIds.push(payment.id);
  ctx.log(`QR order ${order.externalReference} on till ${posId} paid: payment ${payment.id}`);
  announcePayment(ctx, payment, 'payment.created');
  setMerchantOrderStatus(ctx, merchantOrder, 'closed');
  return { paymentId: payment.id, merchantOrderId: merchantOrder.id };
};
