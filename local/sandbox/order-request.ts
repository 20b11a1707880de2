/**
 * `POST /v1/orders` body, checked as the QR reference describes: `type: "qr"`, `external_reference` (1-64 of
 * `[A-Za-z0-9_-]`), `config.qr.external_pos_id` (required) and `mode` (static | dynamic | hybrid, default
 * static), exactly one `transactions.payments[{amount}]`, `total_amount` equal to it when sent,
 * `description` <= 150, `expiration_time` an ISO-8601 duration of 30 s to 3600 h (default PT15M), `items[]`
 * (title, unit_price, quantity). Unknown fields are ignored.
 */
import type { Currency } from '../../functions/model/money.ts';
import {
  DEFAULT_EXPIRATION_TIME,
  durationMs,
  formatOrderAmount,
  isValidExpiration,
  orderAmountMinor,
} from './order-amounts.ts';
import { invalidField, OrdersHttpError } from './order-errors.ts';
import { QR_MODES, type QrMode } from './order-records.ts';

export interface CreateOrderRequest {
  externalReference: string;
  description: string | null;
  totalMinor: number;
  expirationTime: string;
  expirationMs: number;
  mode: QrMode;
  externalPosId: string;
  items: Record<string, unknown>[] | null;
  discounts: unknown;
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const EXTERNAL_REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;
const POS_ID = /^[A-Za-z0-9_-]{1,64}$/;

const parseItem = (value: unknown, index: number, currency: Currency): JsonObject => {
  const bad = (what: string) => invalidField('items', `items[${index}]: ${what}`);
  if (!isObject(value)) throw bad('must be an object');
  if (typeof value.title !== 'string' || value.title === '') throw bad('title is required');
  const unitMinor = orderAmountMinor(value.unit_price, currency);
  if (unitMinor === null) throw bad('unit_price must be a positive amount with two decimals or none');
  const quantity = value.quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1)
    throw bad('quantity must be a positive whole number');
  return { ...value, unit_price: formatOrderAmount(unitMinor, currency) };
};

const parseQrConfig = (config: unknown): { externalPosId: string; mode: QrMode } => {
  const qr = isObject(config) ? config.qr : undefined;
  if (!isObject(qr) || typeof qr.external_pos_id !== 'string' || !POS_ID.test(qr.external_pos_id)) {
    throw new OrdersHttpError(
      400,
      'invalid_external_pos_id',
      'config.qr.external_pos_id is required: 1 to 64 letters, digits, - or _',
    );
  }
  const mode = qr.mode ?? 'static';
  if (typeof mode !== 'string' || !(QR_MODES as readonly string[]).includes(mode))
    throw invalidField('mode', 'config.qr.mode must be static, dynamic or hybrid');
  return { externalPosId: qr.external_pos_id, mode: mode as QrMode };
};

const parsePaymentAmount = (transactions: unknown, currency: Currency): number => {
  const payments = isObject(transactions) ? transactions.payments : undefined;
  if (!Array.isArray(payments) || payments.length !== 1) {
    throw invalidField('transactions', 'transactions.payments must hold exactly one payment');
  }
  const [payment] = payments;
  const minor = isObject(payment) ? orderAmountMinor(payment.amount, currency) : null;
  if (minor === null) {
    throw invalidField(
      'amount',
      'transactions.payments[0].amount must be a positive amount (two decimals or none)',
    );
  }
  return minor;
};

const parseExpiration = (value: unknown): { expirationTime: string; expirationMs: number } => {
  const expirationTime = value ?? DEFAULT_EXPIRATION_TIME;
  const ms = typeof expirationTime === 'string' ? durationMs(expirationTime) : null;
  if (typeof expirationTime !== 'string' || ms === null || !isValidExpiration(ms)) {
    throw invalidField(
      'expiration_time',
      'expiration_time must be an ISO-8601 duration from PT30S to PT3600H',
    );
  }
  return { expirationTime, expirationMs: ms };
};

export const parseCreateOrder = (body: unknown, currency: Currency): CreateOrderRequest => {
  if (!isObject(body)) throw invalidField('body', 'The body must be a JSON object');
  if (body.type !== 'qr') throw invalidField('type', 'type must be "qr" (this sandbox serves QR orders)');
  const reference = body.external_reference;
  if (typeof reference !== 'string' || !EXTERNAL_REFERENCE.test(reference)) {
    throw invalidField(
      'external_reference',
      'external_reference is required: 1 to 64 letters, digits, - or _',
    );
  }
  const description = body.description ?? null;
  if (description !== null && (typeof description !== 'string' || description.length > 150))
    throw invalidField('description', 'description must be a string of at most 150 characters');
  const { externalPosId, mode } = parseQrConfig(body.config);
  const amountMinor = parsePaymentAmount(body.transactions, currency);
  if (body.total_amount !== undefined) {
    const totalMinor = orderAmountMinor(body.total_amount, currency);
    if (totalMinor === null) throw invalidField('total_amount', 'total_amount must be a positive amount');
    if (totalMinor !== amountMinor)
      throw invalidField('total_amount', 'total_amount must equal the amount of the payment');
  }
  let items: JsonObject[] | null = null;
  if (body.items !== undefined && body.items !== null) {
    if (!Array.isArray(body.items)) throw invalidField('items', 'items must be an array');
    items = body.items.map((item, index) => parseItem(item, index, currency));
  }
  return {
    externalReference: reference,
    description,
    totalMinor: amountMinor,
    ...parseExpiration(body.expiration_time),
    mode,
    externalPosId,
    items,
    discounts: body.discounts,
  };
};
