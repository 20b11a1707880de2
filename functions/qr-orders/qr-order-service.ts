/**
 * GET, PUT and DELETE of the order on a till (in-store QR, attended model). PUT checks the order's money in
 * the site's currency before anything is sent, puts it with a TTL (`X-Ttl-Store-Preference` and a matching
 * `expiration_date`) and this service's webhook as `notification_url`, then records it so a notification can
 * mark it paid or expired.
 */

import { ProblemError } from '../http/problems.ts';
import type { HttpResponse } from '../http/types.ts';
import { isoAt } from '../model/clock.ts';
import { deterministicUuid, sha256Hex } from '../model/ids.ts';
import { must } from '../model/invariant.ts';
import { decimalsOf, SITE_CURRENCY, toMinorUnits } from '../model/money.ts';
import { type QrOrderRecord, QrOrderStatus } from '../model/qr-order.ts';
import type { Logger } from '../observability/logger.ts';
import type { MpQrOrder } from '../ports/mercadopago.ts';
import { MercadoPagoError, MpFailureKind } from '../ports/mercadopago-errors.ts';
import type { InstoreQrDeps } from './deps.ts';
import { qrOrderView } from './order-view.ts';
import { orderAmountProblems } from './qr-order-rules.ts';
import { DEFAULT_TTL_SECONDS, type PutQrOrderBody } from './schemas.ts';

interface CallInput {
  externalPosId: string;
  deadline: number;
  log: Logger;
}

const noOrder = (externalPosId: string): ProblemError =>
  new ProblemError('QR_ORDER_NOT_FOUND', `Till ${externalPosId} has no order.`);

const invalid = (field: string, message: string): ProblemError =>
  new ProblemError('VALIDATION_ERROR', `${field}: ${message}`, { errors: [{ field, message }] });

export const getQrOrder = async (deps: InstoreQrDeps, input: CallInput): Promise<HttpResponse> => {
  const order: MpQrOrder | null = await deps.mercadoPago.getQrOrder(deps.userId, input.externalPosId, {
    deadline: input.deadline,
    log: input.log,
  });
  if (!order) throw noOrder(input.externalPosId);
  const record = await deps.qrOrders.get(order.externalReference);
  const ours = record?.externalPosId === input.externalPosId ? record : undefined;
  return { status: 200, body: qrOrderView(order, input.externalPosId, ours, deps.clock.now()) };
};

export const putQrOrder = async (
  deps: InstoreQrDeps,
  input: CallInput & { body: PutQrOrderBody },
): Promise<HttpResponse> => {
  const { body, log } = input;
  // The instore API has one kind of order: the till's static QR (`"mode": "static"` says so).
  if (body.mode !== undefined && body.mode !== 'static')
    throw invalid('mode', 'must be static with QR_API=instore (dynamic and hybrid QR need QR_API=orders)');
  const currency = SITE_CURRENCY[deps.siteId];
  const problems = orderAmountProblems(body, currency);
  if (problems.length > 0) {
    throw new ProblemError('VALIDATION_ERROR', problems.map((p) => `${p.field}: ${p.message}`).join('; '), {
      errors: problems,
    });
  }
  // No store given nor configured: Mercado Pago's store-less path (the till alone names where it is).
  const externalStoreId = body.externalStoreId ?? deps.defaultStoreId;
  const existing = await deps.qrOrders.get(body.externalReference);
  if (existing?.status === QrOrderStatus.Paid) {
    throw invalid('externalReference', 'an order with this reference was already paid; use a new reference');
  }

  const ttlSeconds = body.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const nowMs = deps.clock.now();
  const now = isoAt(nowMs);
  const expiresAt = isoAt(nowMs + ttlSeconds * 1000);
  const order: MpQrOrder = {
    externalReference: body.externalReference,
    title: body.title,
    description: body.description,
    totalAmount: body.totalAmount,
    items: body.items.map((item) => ({ ...item })),
    expirationDate: expiresAt,
    notificationUrl: deps.notificationUrl,
  };
  const record: QrOrderRecord = {
    externalReference: body.externalReference,
    externalPosId: input.externalPosId,
    externalStoreId,
    totalMinor: must(
      toMinorUnits(body.totalAmount, decimalsOf(currency)),
      'a validated amount has minor units',
    ),
    currency,
    title: body.title,
    expiresAt,
    status: QrOrderStatus.Open,
    createdAt: now,
    updatedAt: now,
  };
  // One key per logical put: the transport's own retries reuse it, a new request (new expiry) gets another.
  const idempotencyKey = deterministicUuid(
    `qr-order:${deps.userId}:${externalStoreId ?? ''}:${input.externalPosId}:${sha256Hex(JSON.stringify(order))}`,
  );

  try {
    await deps.mercadoPago.putQrOrder(
      { userId: deps.userId, externalStoreId, externalPosId: input.externalPosId, ttlSeconds, order },
      { idempotencyKey, deadline: input.deadline, log },
    );
  } catch (error) {
    if (error instanceof MercadoPagoError && error.kind === MpFailureKind.UnknownOutcome) {
      // The order may be on the till: recorded, so its payment is still tracked if it happens.
      await recordOrder(deps, record, log);
    }
    throw error;
  }
  const stored = await recordOrder(deps, record, log);
  log.info('QR order put', {
    externalPosId: input.externalPosId,
    externalReference: body.externalReference,
    expiresAt,
  });
  return { status: 201, body: qrOrderView(order, input.externalPosId, stored, nowMs) };
};

/** Writes the record; a paid one with this reference (a race with its notification) is kept and returned. */
const recordOrder = async (
  deps: InstoreQrDeps,
  record: QrOrderRecord,
  log: Logger,
): Promise<QrOrderRecord> => {
  if (await deps.qrOrders.put(record)) return record;
  log.warn('QR order reference already paid: record kept', { externalReference: record.externalReference });
  return (await deps.qrOrders.get(record.externalReference)) ?? record;
};

export const deleteQrOrder = async (deps: InstoreQrDeps, input: CallInput): Promise<HttpResponse> => {
  const removed = await deps.mercadoPago.deleteQrOrder(deps.userId, input.externalPosId, {
    deadline: input.deadline,
    log: input.log,
  });
  if (!removed) throw noOrder(input.externalPosId);
  input.log.info('QR order removed', { externalPosId: input.externalPosId });
  return { status: 204 };
};
