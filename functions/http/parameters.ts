import * as z from 'zod/mini';
import { ORDER_ID_PATTERN } from '../model/order.ts';
import type { HttpRequest } from './types.ts';
import { parseWith } from './validation.ts';

/** Path ids and headers of API.md, each failing as a 400 VALIDATION_ERROR that names it. */
export const paymentIdSchema = z.string().check(z.regex(/^\d{1,20}$/, 'must be 1 to 20 digits'));

/** An Orders API order id, either case (API.md); read upper case, as it is stored and shown. */
export const orderIdSchema = z
  .string()
  .check(z.regex(ORDER_ID_PATTERN, 'must be ORD followed by 20 to 40 letters or digits'));

/** This service's refund id (`id` of a refund object). */
export const refundIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a refund id'));

export const externalPosIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _'));

export const idempotencyKeySchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_:-]{1,128}$/, 'must be 1 to 128 letters, digits, -, _ or :'));

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

export const readPaymentId = (req: Pick<HttpRequest, 'pathParameters'>): string =>
  parseWith(paymentIdSchema, req.pathParameters.paymentId, 'paymentId');

export const readRefundId = (req: Pick<HttpRequest, 'pathParameters'>): string =>
  parseWith(refundIdSchema, req.pathParameters.refundId, 'refundId');

export const readOrderId = (req: Pick<HttpRequest, 'pathParameters'>): string =>
  parseWith(orderIdSchema, req.pathParameters.orderId, 'orderId').toUpperCase();

export const readExternalPosId = (req: Pick<HttpRequest, 'pathParameters'>): string =>
  parseWith(externalPosIdSchema, req.pathParameters.externalPosId, 'externalPosId');

/** The `Idempotency-Key` header: undefined when absent and optional; 400 when absent and required. */
export function readIdempotencyKey(req: Pick<HttpRequest, 'headers'>, options: { required: true }): string;
export function readIdempotencyKey(
  req: Pick<HttpRequest, 'headers'>,
  options: { required: false },
): string | undefined;
export function readIdempotencyKey(
  req: Pick<HttpRequest, 'headers'>,
  options: { required: boolean },
): string | undefined {
  const value = req.headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined && !options.required) return undefined;
  return parseWith(idempotencyKeySchema, value, 'Idempotency-Key');
}
