/**
 * A merchant order notice: re-read the order with our own token and record the QR order it belongs to as
 * paid (`closed`) or expired. The QR store's conditional write stores the change with its event (outbox),
 * so the event goes out once, with the write that made it.
 */

import { isoAt } from '../model/clock.ts';
import { qrOrderEventId } from '../model/events/from-ledger.ts';
import { DetailType, EVENT_SCHEMA_VERSION, type OutEvent } from '../model/events/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { MpMerchantOrder } from '../ports/mercadopago.ts';
import { isNotFound } from '../ports/mercadopago-errors.ts';
import type { ProcessingDeps } from './processing-deps.ts';

export type MerchantOrderOutcome = 'not_found' | 'not_ours' | 'open' | 'unchanged' | 'paid' | 'expired';

const targetStatus = (order: MpMerchantOrder): 'paid' | 'expired' | null =>
  order.status === 'closed' ? 'paid' : order.status === 'expired' ? 'expired' : null;

export const processMerchantOrder = async (
  deps: ProcessingDeps,
  merchantOrderId: string,
  options: { log: Logger; deadline?: number },
): Promise<MerchantOrderOutcome> => {
  let order: MpMerchantOrder;
  try {
    order = await deps.mercadoPago.getMerchantOrder(merchantOrderId, {
      log: options.log,
      deadline: options.deadline,
    });
  } catch (error) {
    if (isNotFound(error)) return 'not_found';
    throw error;
  }
  return recordMerchantOrder(deps, order, options.log);
};

/** Records what a merchant order says about our QR order (shared with payment notifications of QR payments). */
export const recordMerchantOrder = async (
  deps: ProcessingDeps,
  order: MpMerchantOrder,
  log: Logger,
): Promise<MerchantOrderOutcome> => {
  const status = targetStatus(order);
  if (status === null) return 'open';
  if (order.externalReference === null) return 'not_ours';
  const now = isoAt(deps.clock.now());
  const detailType = status === 'paid' ? DetailType.QrOrderPaid : DetailType.QrOrderExpired;
  const event: OutEvent = {
    detailType,
    detail: {
      version: EVENT_SCHEMA_VERSION,
      eventId: qrOrderEventId(order.externalReference, order.id, status),
      occurredAt: now,
      externalReference: order.externalReference,
      merchantOrderId: order.id,
      status,
      totalAmount: order.totalAmount,
      paidAmount: order.paidAmount,
      paymentIds: order.payments.map((p) => p.id),
    },
  };
  // The event is stored with the change, and published by the table's stream only if this write made it.
  if (!(await deps.qrOrders.markStatus(order.externalReference, status, now, [event]))) {
    return (await deps.qrOrders.get(order.externalReference)) ? 'unchanged' : 'not_ours';
  }
  log.info('QR order recorded', {
    externalReference: order.externalReference,
    merchantOrderId: order.id,
    status,
  });
  return status;
};
