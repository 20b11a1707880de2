/**
 * `GET /v1/orders`: `begin_date` and `end_date` required (orders created between them, inclusive), filters
 * `external_reference`, `type`, `status`, `status_detail`, `external_pos_id` (unsettled whether Mercado Pago
 * has it: the sandbox does). Paging by `limit`/`offset` (openapi) or `page`/`page_size` (Node SDK); answer
 * `{data: [...], paging: {total, limit, offset, total_pages}}`, newest first.
 */
import type { SandboxContext } from './context.ts';
import { OrdersHttpError } from './order-errors.ts';
import { orderJson } from './order-json.ts';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

const dateParam = (query: URLSearchParams, name: string): number => {
  const value = query.get(name);
  const ms = value !== null && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new OrdersHttpError(400, 'invalid_query_param', `${name} is required: an ISO-8601 date`);
  return ms;
};

const countParam = (query: URLSearchParams, name: string, fallback: number, min: number): number => {
  const value = query.get(name);
  if (value === null) return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < min)
    throw new OrdersHttpError(400, 'invalid_query_param', `${name} must be a whole number >= ${min}`);
  return Number(value);
};

export const searchOrders = (ctx: SandboxContext, query: URLSearchParams): Record<string, unknown> => {
  const begin = dateParam(query, 'begin_date');
  const end = dateParam(query, 'end_date');
  const byPage = query.has('page') || query.has('page_size');
  const limit = Math.min(
    MAX_LIMIT,
    byPage ? countParam(query, 'page_size', DEFAULT_LIMIT, 1) : countParam(query, 'limit', DEFAULT_LIMIT, 1),
  );
  const offset = byPage ? (countParam(query, 'page', 1, 1) - 1) * limit : countParam(query, 'offset', 0, 0);
  const filters: [string, (json: Record<string, unknown>) => unknown][] = [
    ['external_reference', (json) => json.external_reference],
    ['type', (json) => json.type],
    ['status', (json) => json.status],
    ['status_detail', (json) => json.status_detail],
    ['external_pos_id', (json) => (json.config as { qr: { external_pos_id: string } }).qr.external_pos_id],
  ];
  const found = [...ctx.store.orders.values()]
    .filter(
      (order) => order.userId === ctx.settings.userId && order.createdAt >= begin && order.createdAt <= end,
    )
    .sort((a, b) => b.createdAt - a.createdAt)
    .map((order) => orderJson(ctx, order))
    .filter((json) => filters.every(([name, read]) => !query.has(name) || read(json) === query.get(name)));
  return {
    data: found.slice(offset, offset + limit),
    paging: { total: found.length, limit, offset, total_pages: Math.ceil(found.length / limit) },
  };
};
