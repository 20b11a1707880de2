/**
 * The processing of one notification, the same whether the processor consumes it from SQS or the webhook
 * runs it inline: re-read the resource it names with our own token and bring the stored state up to date
 * (operations/sync-payment.ts for payments, sync-order.ts for Orders API orders). Throws when it could not (Mercado Pago unavailable, a read
 * about another resource, storage errors), so the notification is retried, never lost.
 */
import { MERCADOPAGO } from '../model/actor.ts';
import type { Logger } from '../observability/logger.ts';
import type { NotificationWork } from './notification-work.ts';
import { type ChargebackOutcome, processChargeback } from './process-chargeback.ts';
import {
  type MerchantOrderOutcome,
  processMerchantOrder,
  recordMerchantOrder,
} from './process-merchant-order.ts';
import { type OrderNotificationOutcome, processOrder } from './process-order.ts';
import type { ProcessingDeps } from './processing-deps.ts';
import { type PaymentSync, syncPayment } from './sync-payment.ts';

export interface ProcessOptions {
  log: Logger;
  /** Epoch ms by which Mercado Pago calls must have given up. */
  deadline?: number;
}

/** What processing one notification did: for logs and the webhook's answer. */
export type NotificationOutcome =
  | 'updated'
  | 'unchanged'
  | Exclude<PaymentSync['kind'], 'synced'>
  | MerchantOrderOutcome
  | ChargebackOutcome
  | OrderNotificationOutcome;

export const processNotification = async (
  deps: ProcessingDeps,
  work: NotificationWork,
  options: ProcessOptions,
): Promise<NotificationOutcome> => {
  const log = options.log.child({ resource: work.resource, resourceId: work.id, via: work.via });
  const callOptions = { log, deadline: options.deadline };
  if (work.resource === 'merchant_order') return processMerchantOrder(deps, work.id, callOptions);
  if (work.resource === 'chargeback') return processChargeback(deps, work.id, callOptions);
  if (work.resource === 'order')
    return processOrder(deps, work.id, { ...callOptions, version: work.version });

  const sync = await syncPayment(deps, work.id, {
    ...callOptions,
    by: MERCADOPAGO,
    userId: deps.userId,
    peekFirst: true,
  });
  if (sync.kind === 'other_seller')
    log.warn("notification for another seller's payment ignored", { collectorId: sync.collectorId });
  if (sync.kind === 'not_found') log.warn('notified payment not found with our token');
  await followQrOrder(deps, sync, log, options.deadline);
  return sync.kind === 'synced' ? (sync.written ? 'updated' : 'unchanged') : sync.kind;
};

/**
 * An approved in-person payment of one of our QR orders also closes the order: checked here too, so the
 * order is recorded paid even when its merchant-order notice is lost or rate limited.
 */
const followQrOrder = async (deps: ProcessingDeps, sync: PaymentSync, log: Logger, deadline?: number) => {
  if (!('payment' in sync)) return;
  const { payment } = sync;
  if (payment.status !== 'approved' || payment.merchantOrderId === null || payment.externalReference === null)
    return;
  const record = await deps.qrOrders.get(payment.externalReference);
  if (record?.status !== 'open') return;
  const order = await deps.mercadoPago.getMerchantOrder(payment.merchantOrderId, {
    log,
    deadline,
  });
  await recordMerchantOrder(deps, order, log);
};
